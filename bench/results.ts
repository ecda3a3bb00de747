// The shape of a benchmark report: what run.ts collects and report.ts renders.

/** The tools of the throughput table: ours, the JavaScript peers (raw and validating), the native anchors. */
export type ThroughputId =
  | 'ours'
  | 'kafkajs'
  | 'kafkajs+ours'
  | 'platformatic'
  | 'platformatic+ours'
  | 'kcat'
  | 'java';

/** One tool's produce or consume run over the same events. */
export interface ThroughputRow {
  phase: 'produce' | 'consume';
  /** Which client: ratios are taken against the `kafkajs` (raw) and `kcat` rows of the same phase. */
  id: ThroughputId;
  tool: string;
  /** True for this project's producer or consumer; the others are anchors. */
  ours: boolean;
  messages: number;
  /** The interval the rate is over (see `timing`). */
  seconds: number;
  /** Process start to exit, startup and shutdown included. */
  wallSeconds: number;
  /** The fastest of `runs`: the run least disturbed by other work on the machine. */
  messagesPerSecond: number;
  /** msg/s of every round, in order. */
  runs: number[];
  /** Value bytes only, MB = 2^20 bytes as ProducerPerformance counts them. */
  megabytesPerSecond: number;
  peakRssBytes: number | undefined;
  /** What the interval covers, and anything that makes the row differ from the others. */
  timing: string;
}

/** One validator over the same events. */
export interface ValidatorRow {
  /** typebox/ajv check objects; decoder/plain take bytes; `decoder-bare` is ours on bytes written without `.0`. */
  id: 'typebox' | 'ajv' | 'decoder' | 'decoder-bare' | 'plain';
  name: string;
  input: 'objects' | 'bytes';
  events: number;
  valid: number;
  seconds: number;
  opsPerSecond: number;
}

/** Produce-to-consume latency at a steady rate, measured on the consumer. */
export interface EndToEndLatency {
  rate: number;
  seconds: number;
  sent: number;
  received: number;
  /** Records per send(): the CLI's rule for --rate (a tenth of a second of events), or 1. */
  batchSize: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

/** Latency figures of one send-at-a-time (or throttled) run. */
export interface SendLatency {
  tool: string;
  records: number;
  messagesPerSecond: number;
  avgMs: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

/** Where a profiled process spent its CPU. */
export interface ProfileSummary {
  target: string;
  events: number;
  sampledMs: number;
  /** Self time by function, largest first, startup (module loading) left out. */
  functions: { name: string; location: string; selfMs: number; percent: number }[];
  /** Self time by area (kafkajs, lz4, our code, node internals, GC, idle). */
  areas: { area: string; selfMs: number; percent: number }[];
}

/** The machine and software a run happened on. */
export interface BenchEnvironment {
  date: string;
  cores: number;
  cpuModel: string;
  memoryGiB: number;
  loadAverageAtStart: number[];
  /** Load average when the report was written: the run's own load is in it, and everyone else's. */
  loadAverageAtEnd: number[];
  node: string;
  kafkajs: string;
  platformatic: string;
  kafkaTools: string;
  kcat: string;
  provider: string;
  broker: string;
}

/** Everything one `npm run bench` measured. */
export interface BenchReport {
  command: string;
  environment: BenchEnvironment;
  options: { events: number; seed: number; quick: boolean; rounds: number };
  valueBytesPerEvent: number;
  throughput: ThroughputRow[];
  validators: ValidatorRow[];
  endToEnd: EndToEndLatency[];
  sequential: SendLatency[];
  profiles: ProfileSummary[];
  notes: string[];
}
