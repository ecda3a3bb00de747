// Protects the promise of `--help`'s exit-code table: the code comes from the error's class, and no layer
// rewraps an error into another class or rewrites its message. A wrong KAFKA_* setting exits 2 wherever
// it is found, naming the variable (or the flag) that was wrong.
import { describe, expect, it } from 'vitest';
import { brokersFrom } from '../../helpers/cli/brokers.ts';
import { cliKafka } from '../../helpers/cli/connect.ts';
import { EXIT_USAGE } from '../../helpers/cli/exit-codes.ts';
import { SecurityConfigError } from '../../helpers/clients/security.ts';
import { ConfigError, UsageError } from '../../helpers/errors.ts';
import { parseBrokerList } from '../../helpers/kafka/external.ts';
import { runCli } from '../support/cli.ts';

/** What `fn` threw. */
function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}

describe('ratings-kafka verify with KAFKA_PROVIDER=external and no broker address', () => {
  it('exits 2 naming KAFKA_BROKERS, as --help says of a wrong KAFKA_* setting (it exited 3)', async () => {
    const { KAFKA_BROKERS: _, ...env } = process.env;
    const run = await runCli(['verify'], { env: { ...env, KAFKA_PROVIDER: 'external' }, timeoutMs: 20_000 });
    expect(run.code, run.stderr).toBe(EXIT_USAGE);
    expect(run.stderr).toContain(
      'ratings-kafka verify: KAFKA_PROVIDER=external needs KAFKA_BROKERS=host:port[,host:port]',
    );
    expect(run.stderr).not.toContain('could not start an embedded broker');
  });
});

describe('the CLI client with incomplete security settings', () => {
  it('throws the SecurityConfigError itself (a ConfigError), not a UsageError copy of it', () => {
    const error = thrown(() => cliKafka(['127.0.0.1:9'], { KAFKA_SECURITY_PROTOCOL: 'SASL_SSL' }));
    expect(error).toBeInstanceOf(SecurityConfigError);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).exitCode).toBe(EXIT_USAGE);
    expect((error as Error).message).toBe(
      'KAFKA_SECURITY_PROTOCOL=SASL_SSL needs KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD (unset or empty)',
    );
  });
});

describe('broker lists', () => {
  it('name the source they came from, with no message rewritten after the fact', () => {
    const flag = thrown(() => brokersFrom('a:1,nohost', {}));
    expect(flag).toBeInstanceOf(UsageError);
    expect(flag).not.toBeInstanceOf(ConfigError);
    expect((flag as Error).message).toBe('--brokers entry "nohost" is not host:port');

    const variable = thrown(() => brokersFrom(undefined, { KAFKA_BROKERS: ' , ' }));
    expect(variable).toBeInstanceOf(ConfigError);
    expect((variable as Error).message).toBe('KAFKA_BROKERS is empty: expected host:port[,host:port]');

    expect(() => parseBrokerList('x', { source: 'SOME_BROKERS' })).toThrow(
      'SOME_BROKERS entry "x" is not host:port',
    );
    expect(brokersFrom('a:1', { KAFKA_BROKERS: 'nohost' })).toEqual(['a:1']);
  });

  it('exit 2 from the CLI, the flag named when the flag was wrong', async () => {
    const { KAFKA_BROKERS: _, ...env } = process.env;
    const run = await runCli(['topics', 'verify', '--brokers', 'a:1,nohost'], { env, timeoutMs: 20_000 });
    expect(run.code).toBe(EXIT_USAGE);
    expect(run.stderr).toBe(
      'ratings-kafka topics: --brokers entry "nohost" is not host:port; see `ratings-kafka topics --help`\n',
    );
  });
});
