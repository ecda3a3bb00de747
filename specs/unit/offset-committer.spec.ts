// Protects the consumer's background offset commits: a commit that fails because the group's
// coordinator moved (a broker stopped) is tried again on its own, so a consumer that has read everything
// does not keep a stale committed offset until its run ends; a failure Kafka calls final is not retried
// in the background, and flush reports it; background retries stop after their budget.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { offsetCommitter } from '../../helpers/consumer/offset-committer.ts';

const protocolError = (type: string): Error => Object.assign(new Error(type.toLowerCase()), { type });
const RETRY = { initialMs: 100, maxMs: 400, budgetMs: 3_000 };

/** A consumer whose commits fail with the given errors, in order, then succeed. */
function consumerFailing(errors: Error[]) {
  const calls: { partition: number; offset: string }[][] = [];
  return {
    calls,
    commitOffsets: async (offsets: { topic: string; partition: number; offset: string }[]) => {
      calls.push(offsets.map(({ partition, offset }) => ({ partition, offset })));
      const error = errors.shift();
      if (error) throw error;
    },
  };
}

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance', 'Date'] });
});
afterEach(() => {
  vi.useRealTimers();
});

describe('background offset commits', () => {
  it('retries a commit that met a moving coordinator on its own, with nothing else requested', async () => {
    const consumer = consumerFailing([
      protocolError('NOT_COORDINATOR'),
      protocolError('COORDINATOR_NOT_AVAILABLE'),
    ]);
    const committed = new Map<number, string>();
    const commits = offsetCommitter(consumer, 'ratings', (p, o) => committed.set(p, o), RETRY);
    commits.request(0, '10');
    await vi.advanceTimersByTimeAsync(0);
    expect(consumer.calls).toHaveLength(1);
    expect(committed.get(0)).toBeUndefined();

    await vi.advanceTimersByTimeAsync(100 + 200);
    expect(consumer.calls).toHaveLength(3);
    expect(committed.get(0)).toBe('10');
  });

  it('does not retry a final failure in the background; flush reports it', async () => {
    const consumer = consumerFailing([
      new Error('the group was deleted'),
      new Error('the group was deleted'),
    ]);
    const commits = offsetCommitter(consumer, 'ratings', () => {}, RETRY);
    commits.request(1, '7');
    await vi.advanceTimersByTimeAsync(10_000);
    expect(consumer.calls).toHaveLength(1);
    await expect(commits.flush()).rejects.toThrow('the group was deleted');
    expect(consumer.calls).toHaveLength(2);
  });

  it('stops retrying after its budget, and flush still commits what is pending', async () => {
    const consumer = consumerFailing(Array.from({ length: 100 }, () => protocolError('NOT_COORDINATOR')));
    const committed = new Map<number, string>();
    const commits = offsetCommitter(consumer, 'ratings', (p, o) => committed.set(p, o), RETRY);
    commits.request(2, '42');
    await vi.advanceTimersByTimeAsync(60_000);
    const tries = consumer.calls.length;
    // 100, 200, 400, 400, ... ms apart for a 3 s budget: about ten tries, then none.
    expect(tries).toBeGreaterThan(3);
    expect(tries).toBeLessThan(15);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(consumer.calls).toHaveLength(tries);

    consumer.calls.length = 0;
    const succeed = consumerFailing([]);
    Object.assign(consumer, { commitOffsets: succeed.commitOffsets });
    await commits.flush();
    expect(committed.get(2)).toBe('42');
  });
});
