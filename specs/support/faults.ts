// What the fault specs share: a broker of the file's own that they may bounce, a deterministic event
// stream with sequence numbers, the fault plan that bounces the broker mid-produce, and group views.
import { randomUUID } from 'node:crypto';
import { type Admin, AssignerProtocol, type Kafka } from 'kafkajs';
import { afterAll, beforeAll, beforeEach, inject } from 'vitest';
import { MOVIE_ID_MAX, type RatingEvent, USER_ID_MAX } from '../../contracts/rating.ts';
import { kafkaClient } from '../../helpers/clients/kafka-client.ts';
import { type ConsumeSummary, consumeRatings } from '../../helpers/consumer/ratings-consumer.ts';
import type { RestartableBroker } from '../../helpers/kafka/types.ts';
import {
  notRestartable,
  type RestartTiming,
  startRestartableBroker,
  type TimedBroker,
} from './brokers/restartable.ts';

/** Records per send(): small, so a restart always finds sends still to make. */
export const BATCH = 100;

/**
 * The consumer session of fault specs on brokers this run started (their group.min.session.timeout.ms
 * is 1 s): a killed member leaves its group in 4 s instead of 10. Against an external cluster, whose
 * floor is usually 6 s, the consumers' default 10 s.
 */
export const SPEC_SESSION_MS = inject('kafkaProvider') === 'external' ? 10_000 : 4_000;

/** One planned bounce: when (acknowledged events so far), how, and whether to keep the broker down until a send fails. */
export interface Fault {
  afterAcked: number;
  signal: 'SIGTERM' | 'SIGKILL';
  holdUntilSendFails: boolean;
}

/**
 * Every field pinned: under vitest (NODE_ENV=test) kafkajs fills unset retry fields from its own test
 * defaults (multiplier 1.5, maxRetryTime 1 s), which would make these budgets shorter than they read.
 */
export const BACKOFF = { factor: 0.2, multiplier: 2 };
/** Event `seq` of a run: valid, deterministic, spread over users so every partition gets some. */
export function ratingAt(seq: number): RatingEvent {
  return {
    userId: 1 + ((seq * 7_919) % USER_ID_MAX),
    movieId: 1 + ((seq * 104_729) % MOVIE_ID_MAX),
    rating: 0.5 * (1 + (seq % 10)),
    timestamp: 1_000_000_000_000 + seq,
  };
}

/** Events `from` (inclusive) to `to` (exclusive). */
export function* ratings(from: number, to: number): Generator<RatingEvent> {
  for (let seq = from; seq < to; seq++) yield ratingAt(seq);
}

/** The integers `from` (inclusive) to `to` (exclusive), as a set of seqs. */
export const seqRange = (from: number, to: number): Set<number> =>
  new Set(Array.from({ length: to - from }, (_, i) => from + i));

export const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;

export const describeRestart = ({ signal, stopMs, outageMs, startMs }: RestartTiming): string =>
  `${signal}: stop ${seconds(stopMs)}, held down ${seconds(outageMs)}, back in ${seconds(startMs)}`;

/**
 * Bounces the broker when the acknowledged count crosses each fault's threshold. The event source
 * calls gate() before every event: it starts a due bounce and holds the source until the broker is
 * down, so the sends that follow are in flight while it is away; bounces never overlap.
 */
export function faultPlan(
  broker: RestartableBroker,
  faults: readonly Fault[],
  acked: () => number,
  nextSendFailure: () => Promise<void>,
) {
  let next = 0;
  let current: { down: Promise<void>; done: Promise<void> } | undefined;
  const due = (): boolean => next < faults.length && acked() >= faults[next]!.afterAcked;
  const begin = (fault: Fault): NonNullable<typeof current> => {
    const { promise: isDown, resolve: markDown } = Promise.withResolvers<void>();
    const done = broker.restart(fault.signal, async () => {
      // Asked for before the source is released, so it is a failure of a send made while down.
      const failure = fault.holdUntilSendFails ? nextSendFailure() : undefined;
      markDown();
      await failure;
    });
    // A restart that fails before the broker is down must fail the gate, not hang it.
    const entry = { down: Promise.race([isDown, done]), done };
    entry.down.catch(() => {});
    done.then(
      () => {
        if (current === entry) current = undefined;
      },
      () => {},
    );
    return entry;
  };
  return {
    async gate(): Promise<void> {
      for (;;) {
        if (current === undefined) {
          if (!due()) return;
          current = begin(faults[next++]!);
        }
        await current.down;
        if (!due()) return;
        await current.done;
        current = undefined;
      }
    },
    /** Resolves when every fault has been played and the broker is back. */
    async finished(): Promise<number> {
      await current?.done;
      return next;
    },
  };
}

/** The partitions of `topic` each member of a Stable group holds; empty while it rebalances. */
export async function assignments(admin: Admin, groupId: string, topic: string): Promise<number[][]> {
  const {
    groups: [group],
  } = await admin.describeGroups([groupId]);
  if (group?.state !== 'Stable') return [];
  return group.members.map(
    (member) => AssignerProtocol.MemberAssignment.decode(member.memberAssignment)?.assignment[topic] ?? [],
  );
}

/** A broker of the calling spec file's own, started before its tests and stopped after them. */
export interface OwnBroker {
  readonly broker: TimedBroker;
  readonly kafka: Kafka;
}

/**
 * Registers the hooks that give a spec file a restartable broker of its own (the run's shared broker is
 * never bounced), and skips its tests, saying why, when the run's provider cannot give one.
 */
export function ownRestartableBroker(label: string): () => OwnBroker {
  const provider = inject('kafkaProvider');
  const cannotBounce = notRestartable(provider);
  if (cannotBounce !== undefined) console.info(`[skip] ${label} specs: ${cannotBounce}`);
  let own: OwnBroker | undefined;
  beforeAll(async () => {
    if (cannotBounce !== undefined) return;
    const broker = await startRestartableBroker(provider, { image: inject('kafkaDescription') });
    own = {
      broker,
      kafka: kafkaClient(broker.brokers, { clientId: `${label}-${randomUUID().slice(0, 8)}` }),
    };
    console.log(
      `[${label}] own broker: ${broker.description} at ${broker.brokers.join(',')}, ready in ${seconds(broker.startupMs)}`,
    );
  });
  afterAll(async () => {
    await own?.broker.stop();
  });
  beforeEach((context) => {
    if (cannotBounce !== undefined) context.skip(cannotBounce);
  });
  return () => {
    if (own === undefined) throw new Error(`${label}: the broker of this file did not start`);
    return own;
  };
}

/**
 * A consumer of `groupId` reading `topic` from the beginning with the specs' short session, recording
 * each record's `seq` in `seen`; `joined` resolves once it is in its group, `consuming` with its summary,
 * and `stopped()` says why it stopped (undefined while it runs).
 */
export function groupConsumer(
  kafka: Kafka,
  options: {
    topic: string;
    groupId: string;
    maxMessages: number;
    idleTimeoutMs: number;
    signal?: AbortSignal;
  },
) {
  const seen: number[] = [];
  /** The latest failed commit tries, newest last, with when they failed. */
  const commitFailures: string[] = [];
  const started = performance.now();
  const { promise: joined, resolve: markJoined } = Promise.withResolvers<void>();
  const consuming = consumeRatings(kafka, {
    ...options,
    fromBeginning: true,
    sessionTimeoutMs: SPEC_SESSION_MS,
    onJoined: () => markJoined(),
    onEvent: (_event, record) => seen.push(Number(record.headers.seq)),
    onCommitFailure: (error, offsets) => {
      const { name, message } = error instanceof Error ? error : { name: 'Error', message: String(error) };
      commitFailures.push(
        `at ${seconds(performance.now() - started)}: ${name}: ${message} (${offsets.map((o) => `p${o.partition}=${o.offset}`).join(' ')})`,
      );
      if (commitFailures.length > 5) commitFailures.shift();
    },
  });
  let stopped: string | undefined;
  consuming.then(
    (summary: ConsumeSummary) => {
      stopped =
        summary.error === undefined ? summary.stoppedBecause : `${summary.stoppedBecause}: ${summary.error}`;
    },
    (error: unknown) => {
      stopped = `threw: ${error instanceof Error ? error.message : String(error)}`;
    },
  );
  return { seen, joined, consuming, stopped: () => stopped, commitFailures };
}
