// Protects the consumer's background offset commits: a commit that fails because the group's
// coordinator moved (a broker stopped) is tried again on its own, carrying the newest offsets, so a
// consumer that has read everything does not keep a stale committed offset until its run ends; a failure
// Kafka calls final is not retried in the background, and flush reports it; an offset requested while a
// commit was failing is never left behind it; background retries stop after their budget; a rejoin keeps
// what was processed on the partitions the member keeps (committed again, and where to resume) and drops
// the rest.
import { describe, expect, it } from 'vitest';
import { offsetCommitter } from '../../helpers/consumer/offset-committer.ts';
import { pollUntil, WaitTimeoutError } from '../../helpers/wait/poll-until.ts';

const protocolError = (type: string): Error => Object.assign(new Error(type.toLowerCase()), { type });
/** Short enough for a unit spec, long enough for several of retryRetriable's 25 ms-and-doubling pauses. */
const BUDGET_MS = 600;

type Commit = { partition: number; offset: string }[];

/**
 * The commit side of a consumer: each commit takes the next outcome (an error to throw, or a promise to
 * wait for), then succeeds; every commit it was asked for is recorded.
 */
function consumerAnswering(outcomes: (Error | Promise<void>)[]) {
  const calls: Commit[] = [];
  return {
    calls,
    commitOffsets: async (offsets: { topic: string; partition: number; offset: string }[]) => {
      calls.push(offsets.map(({ partition, offset }) => ({ partition, offset })));
      const outcome = outcomes.shift();
      if (outcome instanceof Error) throw outcome;
      await outcome;
    },
  };
}

const until = <T>(what: string, probe: () => T, done: (value: T) => boolean, timeoutMs = 5_000) =>
  pollUntil(probe, done, { what, timeoutMs, intervalMs: 5, maxIntervalMs: 50 });

describe('background offset commits', () => {
  it('retries a commit that met a moving coordinator on its own, with nothing else requested', async () => {
    const consumer = consumerAnswering([
      protocolError('NOT_COORDINATOR'),
      protocolError('COORDINATOR_NOT_AVAILABLE'),
    ]);
    const committed = new Map<number, string>();
    const commits = offsetCommitter(consumer, 'ratings', (p, o) => committed.set(p, o), BUDGET_MS);
    commits.request(0, '10');
    await until(
      'partition 0 committed',
      () => committed.get(0),
      (offset) => offset === '10',
    );
    expect(consumer.calls).toHaveLength(3);
  });

  it('carries offsets requested during the retries in the next try', async () => {
    const { promise: answered, resolve: answer } = Promise.withResolvers<void>();
    const consumer = consumerAnswering([
      answered.then(() => {
        throw protocolError('NOT_COORDINATOR');
      }),
    ]);
    const committed = new Map<number, string>();
    const commits = offsetCommitter(consumer, 'ratings', (p, o) => committed.set(p, o), BUDGET_MS);
    commits.request(0, '10');
    commits.request(1, '5');
    commits.request(0, '12');
    answer();
    await until(
      'both partitions committed',
      () => committed.size,
      (size) => size === 2,
    );
    expect(consumer.calls).toEqual([
      [{ partition: 0, offset: '10' }],
      [
        { partition: 0, offset: '12' },
        { partition: 1, offset: '5' },
      ],
    ]);
    expect(Object.fromEntries(committed)).toEqual({ 0: '12', 1: '5' });
  });

  it('does not retry a final failure in the background; flush reports it', async () => {
    const consumer = consumerAnswering([
      new Error('the group was deleted'),
      new Error('the group was deleted'),
    ]);
    const commits = offsetCommitter(consumer, 'ratings', () => {}, BUDGET_MS);
    commits.request(1, '7');
    await expect(
      until(
        'a second commit',
        () => consumer.calls.length,
        (calls) => calls > 1,
        300,
      ),
    ).rejects.toThrow(WaitTimeoutError);
    expect(consumer.calls).toHaveLength(1);
    await expect(commits.flush()).rejects.toThrow('the group was deleted');
    expect(consumer.calls).toHaveLength(2);
  });

  it('commits an offset requested while a final failure was in flight, without another request', async () => {
    // The cluster spec's stuck lag: the consumer read its last records while a commit to a coordinator
    // that had gone was failing for good; nothing was left to carry their offsets.
    const { promise: answered, resolve: answer } = Promise.withResolvers<void>();
    const consumer = consumerAnswering([
      answered.then(() => {
        throw new Error('Connection error: connect ECONNREFUSED');
      }),
    ]);
    const committed = new Map<number, string>();
    const commits = offsetCommitter(consumer, 'ratings', (p, o) => committed.set(p, o), BUDGET_MS);
    commits.request(0, '100');
    commits.request(0, '200');
    answer();
    await until(
      'partition 0 committed at 200',
      () => committed.get(0),
      (offset) => offset === '200',
    );
    expect(consumer.calls.map((call) => call[0]?.offset)).toEqual(['100', '200']);
  });

  it('stops retrying after its budget, and flush still commits what is pending', async () => {
    const consumer = consumerAnswering(Array.from({ length: 1_000 }, () => protocolError('NOT_COORDINATOR')));
    const committed = new Map<number, string>();
    const commits = offsetCommitter(consumer, 'ratings', (p, o) => committed.set(p, o), BUDGET_MS);
    commits.request(2, '42');
    const started = performance.now();
    await until(
      'retries to begin',
      () => consumer.calls.length,
      (calls) => calls > 3,
    );
    // Once the budget is spent, no more tries: the count holds still for a while.
    const tries = await until(
      'the retries to stop',
      () => consumer.calls.length,
      (calls) => calls > 0 && performance.now() - started > BUDGET_MS + 300,
    );
    await expect(
      until(
        'another try',
        () => consumer.calls.length,
        (calls) => calls > tries,
        300,
      ),
    ).rejects.toThrow(WaitTimeoutError);
    // 25, 50, 100, 200 ms ... apart for a 600 ms budget: a handful of tries, then none.
    expect(tries).toBeLessThan(12);

    const succeed = consumerAnswering([]);
    Object.assign(consumer, { commitOffsets: succeed.commitOffsets });
    await commits.flush();
    expect(committed.get(2)).toBe('42');
  });

  it('keeps what was processed on the partitions a rejoin keeps, commits it again, and drops the rest', async () => {
    const consumer = consumerAnswering([]);
    const committed: Commit[] = [];
    const commits = offsetCommitter(
      consumer,
      'ratings',
      (partition, offset) => committed.push([{ partition, offset }]),
      BUDGET_MS,
    );
    commits.request(0, '30');
    commits.request(1, '40');
    commits.request(2, '50');
    await commits.flush();
    consumer.calls.length = 0;

    // Partition 2 went to another member; 0 and 1 stayed. A commit reported done may not have reached
    // Kafka (kafkajs' runner returns without sending while it is stopped), so the kept ones go again.
    expect(commits.rejoined([0, 1])).toEqual([
      { partition: 0, offset: '30' },
      { partition: 1, offset: '40' },
    ]);
    await commits.flush();
    expect(consumer.calls).toEqual([
      [
        { partition: 0, offset: '30' },
        { partition: 1, offset: '40' },
      ],
    ]);
    // Given away, so never committed again by this member, and not a place to resume.
    commits.request(0, '31');
    await commits.flush();
    expect(consumer.calls.flat().some(({ partition }) => partition === 2)).toBe(false);
    expect(commits.rejoined([])).toEqual([]);
  });

  it('does not put back offsets of a partition given away while their commit was failing', async () => {
    const { promise: answered, resolve: answer } = Promise.withResolvers<void>();
    const consumer = consumerAnswering([
      answered.then(() => {
        throw new Error('Consumer group was not initialized, consumer#run must be called first');
      }),
    ]);
    const commits = offsetCommitter(consumer, 'ratings', () => {}, BUDGET_MS);
    commits.request(0, '5');
    commits.request(1, '6');
    await until(
      'the commit to be sent',
      () => consumer.calls.length,
      (calls) => calls === 1,
    );
    expect(commits.rejoined([1])).toEqual([{ partition: 1, offset: '6' }]);
    answer();
    await commits.flush();
    expect(consumer.calls.at(-1)).toEqual([{ partition: 1, offset: '6' }]);
  });
});
