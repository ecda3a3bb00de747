// Protects the one way this project waits and retries: a bounded poll that says what it waited for,
// the classification of Kafka errors into "not yet" (retried) and final (thrown at once), and the
// flake hunt's reading of failed runs.
import { describe, expect, it } from 'vitest';
import { failedTestNames, usageProblems } from '../../helpers/ci/flake-hunt.ts';
import { pollUntil, WaitTimeoutError } from '../../helpers/wait/poll-until.ts';
import { isRetriableKafkaError, retryRetriable } from '../../helpers/wait/retriable.ts';

/** A kafkajs-shaped protocol error of the given type. */
const protocolError = (type: string): Error => Object.assign(new Error(type.toLowerCase()), { type });

describe('pollUntil', () => {
  it('returns the first value that satisfies the condition', async () => {
    let calls = 0;
    const value = await pollUntil(
      () => ++calls,
      (n) => n >= 3,
      { what: 'three calls', timeoutMs: 1_000, intervalMs: 1 },
    );
    expect(value).toBe(3);
    expect(calls).toBe(3);
  });

  it('names what it waited for and what it last saw when the budget runs out', async () => {
    const waiting = pollUntil(
      () => ({ leaders: 2 }),
      () => false,
      { what: 'leaders for every partition of ratings', timeoutMs: 50, intervalMs: 5 },
    );
    await expect(waiting).rejects.toThrow(WaitTimeoutError);
    await expect(waiting).rejects.toThrow(
      /timed out after 50 ms waiting for leaders for every partition of ratings; last seen: \{"leaders":2\}/,
    );
  });

  it('rethrows at once an error it was not told to expect', async () => {
    let calls = 0;
    const failing = pollUntil(
      () => {
        calls++;
        throw new Error('authorisation failed');
      },
      () => true,
      { what: 'anything', timeoutMs: 1_000, retryOn: isRetriableKafkaError },
    );
    await expect(failing).rejects.toThrow('authorisation failed');
    expect(calls).toBe(1);
  });
});

describe('retriable Kafka errors', () => {
  it.each([
    'NOT_LEADER_FOR_PARTITION',
    'UNKNOWN_TOPIC_OR_PARTITION',
    'LEADER_NOT_AVAILABLE',
    'NOT_COORDINATOR_FOR_GROUP',
  ])('retries %s, also when wrapped as a cause', (type) => {
    expect(isRetriableKafkaError(protocolError(type))).toBe(true);
    expect(isRetriableKafkaError(new Error('retries exceeded', { cause: protocolError(type) }))).toBe(true);
    expect(isRetriableKafkaError(Object.assign(new Error('x'), { originalError: protocolError(type) }))).toBe(
      true,
    );
  });

  it.each(['TOPIC_AUTHORIZATION_FAILED', 'INVALID_REPLICATION_FACTOR', 'TOPIC_ALREADY_EXISTS'])(
    'treats %s as final',
    (type) => {
      expect(isRetriableKafkaError(protocolError(type))).toBe(false);
    },
  );

  it('retries a call through a leadership race and returns its answer', async () => {
    let calls = 0;
    const answer = await retryRetriable('offsets of ratings', async () => {
      if (++calls < 3) throw protocolError('NOT_LEADER_FOR_PARTITION');
      return 'offsets';
    });
    expect(answer).toBe('offsets');
    expect(calls).toBe(3);
  });

  it('throws the last Kafka error itself when the budget runs out', async () => {
    const race = protocolError('LEADER_NOT_AVAILABLE');
    await expect(
      retryRetriable(
        'a leader',
        async () => {
          throw race;
        },
        60,
      ),
    ).rejects.toBe(race);
  });
});

describe('flake hunt', () => {
  it('names the failed tests from vitest summary lines and failed verify steps', () => {
    const vitest = [
      ' \u001b[31mFAIL\u001b[39m  integration  specs/integration/faults-outage.spec.ts > delivery through a broker outage > reports a send failure',
      ' Test Files  1 failed | 27 passed (28)',
    ].join('\n');
    expect(failedTestNames(vitest)).toEqual([
      'specs/integration/faults-outage.spec.ts > delivery through a broker outage > reports a send failure',
    ]);
    const verify = [
      'PASS  broker reachable (12 ms)',
      'FAIL  ratings produced (45 ms)',
      'FAIL  verify against x (2.0 s)',
    ];
    expect(failedTestNames(verify.join('\n'))).toEqual(['verify step "ratings produced"']);
    expect(failedTestNames('npm error code 1\nSomething else broke\n')).toEqual(['Something else broke']);
    expect(
      failedTestNames(
        ' FAIL   integration  specs/integration/faults-restarts.spec.ts [ specs/integration/faults-restarts.spec.ts ]',
      ),
    ).toEqual(['specs/integration/faults-restarts.spec.ts']);
  });

  it('reports every usage problem at once', () => {
    expect(usageProblems({ runs: '0', copies: 'two' })).toEqual([
      '--runs takes a whole number >= 1, got "0"',
      '--copies takes a whole number >= 1, got "two"',
    ]);
    expect(usageProblems({ runs: '10', copies: '2' })).toEqual([]);
  });
});
