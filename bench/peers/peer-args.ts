// The command line every peer client script shares, and the JSON line it answers with.
import { parseArgs } from 'node:util';

/** What a peer run is told: which broker and topic, which events, whether to validate like ours. */
export interface PeerArgs {
  command: 'produce' | 'consume';
  brokers: string[];
  topic: string;
  /** Records to send or to read. */
  count: number;
  /** Produce: the seed of the events, generated inside the interval as ours does. */
  seed: number;
  groupId: string;
  /** Run our encoder (produce) or decoder (consume) on every record, as our tools do. */
  validate: boolean;
}

/** The one JSON line a peer prints on stdout. */
export interface PeerReport {
  messages: number;
  /** Records our decoder accepted (consume with --validate); equals `messages` otherwise. */
  valid: number;
  /** The timed interval, in the same terms as ours (see throughput.ts). */
  elapsedMs: number;
  maxRssBytes: number;
}

/** Reads argv; throws on anything missing, since only the bench calls these scripts. */
export function parsePeerArgs(argv: string[]): PeerArgs {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      brokers: { type: 'string' },
      topic: { type: 'string' },
      count: { type: 'string' },
      seed: { type: 'string', default: '1' },
      group: { type: 'string', default: 'bench-peer' },
      validate: { type: 'boolean', default: false },
    },
  });
  const command = positionals[0];
  if (command !== 'produce' && command !== 'consume')
    throw new Error(`expected produce|consume, got ${command}`);
  if (!values.brokers || !values.topic || !values.count)
    throw new Error('--brokers, --topic and --count are required');
  return {
    command,
    brokers: values.brokers.split(','),
    topic: values.topic,
    count: Number(values.count),
    seed: Number(values.seed),
    groupId: values.group,
    validate: values.validate,
  };
}

/** Prints the report line the bench parses. */
export function printReport(report: Omit<PeerReport, 'maxRssBytes'>): void {
  console.log(JSON.stringify({ ...report, maxRssBytes: process.resourceUsage().maxRSS * 1024 }));
}
