// Protects what a person sees when the command line is wrong, before any broker is involved: exit 2,
// every problem named in one try, and no error that blames the wrong flag or prints a stray space.
import { describe, expect, it } from 'vitest';
import { EXIT_USAGE } from '../../helpers/cli/exit-codes.ts';
import { main } from '../../helpers/cli/main.ts';
import { formatDescription } from '../../helpers/cli/topics-command.ts';

/** Runs `ratings-kafka <argv>` in this process with the given environment; what it printed and its exit code. */
async function cli(argv: string[], env: NodeJS.ProcessEnv = {}) {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, {
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
    env,
  });
  return { code, stdout, stderr };
}

const BROKERS = { KAFKA_BROKERS: '127.0.0.1:9' };

describe('ratings-kafka usage errors', () => {
  it('judges a negative --count as a value: "must be a whole number >= 1", not "takes no value"', async () => {
    const run = await cli(['produce', '--count', '-5'], BROKERS);
    expect(run.code).toBe(EXIT_USAGE);
    expect(run.stderr).toBe(
      'ratings-kafka produce: --count must be a whole number >= 1, got "-5"; see `ratings-kafka produce --help`\n',
    );
  });

  it('reports every problem of one command line at once: --rate 0 and the missing --count', async () => {
    const run = await cli(['produce', '--rate', '0'], BROKERS);
    expect(run.code).toBe(EXIT_USAGE);
    expect(run.stderr).toContain('2 problems:');
    expect(run.stderr).toContain('--rate must be a number > 0, got "0"');
    expect(run.stderr).toContain('produce needs --count N');
  });

  it('adds the missing broker address to the list instead of stopping before it', async () => {
    const run = await cli(['consume', '--timeout', 'soon', '--max-messages', '0']);
    expect(run.code).toBe(EXIT_USAGE);
    expect(run.stderr).toContain('3 problems:');
    expect(run.stderr).toContain('--max-messages must be a whole number >= 1, got "0"');
    expect(run.stderr).toContain('--timeout:');
    expect(run.stderr).toContain('no Kafka broker address');
  });

  it('treats an unknown KAFKA_PROVIDER for the embedded broker as a usage error (exit 2)', async () => {
    const run = await cli(['verify'], { KAFKA_PROVIDER: 'bogus' });
    expect(run.code).toBe(EXIT_USAGE);
    expect(run.stderr).toContain(
      'KAFKA_PROVIDER="bogus" is not one of auto, external, testcontainers, native; see `ratings-kafka verify --help`',
    );
  });

  it('names an unknown command without a stray space', async () => {
    const run = await cli(['produse']);
    expect(run.code).toBe(EXIT_USAGE);
    expect(run.stderr).toBe(
      'ratings-kafka: unknown command "produse": expected one of topics, produce, consume, verify, contracts; see `ratings-kafka --help`\n',
    );
  });

  it('lists the problems of `topics` together: a wrong action and a wrong profile', async () => {
    const run = await cli(['topics', 'destroy', '--profile', 'staging'], BROKERS);
    expect(run.code).toBe(EXIT_USAGE);
    expect(run.stderr).toContain('unknown topics action "destroy"');
    expect(run.stderr).toContain('--profile must be one of');
  });
});

describe('topics describe', () => {
  it('marks each setting that differs from the contract, and how, as topics verify reports it', () => {
    const text = formatDescription({
      topic: 'ratings',
      status: 'present',
      replicationFactor: 1,
      partitions: [{ partition: 0, leader: 1, replicas: [1], earliest: '0', latest: '5' }],
      config: { 'compression.type': 'producer', 'retention.ms': '604800000' },
      drift: [
        { setting: 'partitions', expected: '3', actual: '1' },
        { setting: 'compression.type', expected: 'lz4', actual: 'producer' },
      ],
    });
    expect(text.split('\n')).toEqual([
      'ratings: drift in 2 setting(s); 1 partition(s) (DRIFT: contract says 3), replication factor 1',
      '  partition 0  leader 1  replicas [1]  offsets 0..5',
      '  compression.type=producer (DRIFT: contract says lz4)',
      '  retention.ms=604800000',
    ]);
  });
});
