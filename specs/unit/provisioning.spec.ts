// Protects broker provisioning: settings are read strictly, and with no way to get a broker the run
// fails fast with one message naming all three ways.
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { parseBrokerList } from '../../helpers/kafka/external.ts';
import { NO_BROKER_MESSAGE, optionsFromEnv } from '../../helpers/kafka/provision.ts';
import { toConfluentEnv } from '../../helpers/kafka/testcontainers.ts';
import { BROKER_OVERRIDES } from '../../helpers/kafka/types.ts';

describe('broker provisioning', () => {
  it('parses KAFKA_BROKERS lists and names a bad entry', () => {
    expect(parseBrokerList(' a:9092, b:19092 ')).toEqual(['a:9092', 'b:19092']);
    expect(() => parseBrokerList('a:9092,nohost')).toThrow(/"nohost" is not host:port/);
    expect(() => parseBrokerList(' , ')).toThrow(/empty/);
  });

  it('rejects an unknown KAFKA_PROVIDER, naming the accepted ones', () => {
    expect(() => optionsFromEnv({ KAFKA_PROVIDER: 'kubernetes' })).toThrow(
      /auto, external, testcontainers, native/,
    );
    expect(optionsFromEnv({})).toMatchObject({ provider: 'auto', brokers: undefined, image: undefined });
  });

  it('passes the project broker settings to Confluent images as KAFKA_* variables', () => {
    expect(toConfluentEnv(BROKER_OVERRIDES)).toEqual({
      KAFKA_AUTO_CREATE_TOPICS_ENABLE: 'false',
      KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS: '0',
      KAFKA_GROUP_MIN_SESSION_TIMEOUT_MS: '1000',
    });
  });

  it('fails fast with the three-ways message when there is no Docker, no Java and no KAFKA_BROKERS', () => {
    const started = Date.now();
    const script =
      "import('./helpers/kafka/provision.ts').then((m) => m.provisionBroker()).catch((e) => { console.error(e.message); process.exit(7); })";
    const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
      encoding: 'utf8',
      env: {
        PATH: '/nonexistent',
        DOCKER_HOST: 'unix:///nonexistent/docker.sock',
        HOME: process.env.HOME ?? '/tmp',
      },
      timeout: 20_000,
    });
    expect(run.status).toBe(7);
    expect(run.stderr).toContain(NO_BROKER_MESSAGE);
    expect(Date.now() - started).toBeLessThan(10_000);
  });
});
