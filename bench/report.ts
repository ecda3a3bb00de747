// Renders a benchmark report as markdown tables and writes it, with the raw JSON, under reports/bench/.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { BenchReport, ThroughputRow, ValidatorRow } from './results.ts';

const MIB = 2 ** 20;

const int = (value: number): string => Math.round(value).toLocaleString('en-US');
const fixed = (value: number, digits = 1): string => value.toFixed(digits);
const mib = (bytes: number | undefined): string =>
  bytes === undefined ? 'n/a' : `${fixed(bytes / MIB, 0)} MiB`;
const table = (header: string[], rows: string[][]): string =>
  [
    `| ${header.join(' | ')} |`,
    `|${header.map(() => '---').join('|')}|`,
    ...rows.map((row) => `| ${row.join(' | ')} |`),
  ].join('\n');

/** Ours divided by the best anchor of the same phase, e.g. `0.31× ConsumerPerformance`. */
export function ratioToBestAnchor(row: ThroughputRow, rows: ThroughputRow[]): string {
  if (!row.ours) return '';
  const anchors = rows.filter((other) => other.phase === row.phase && !other.ours);
  const best = anchors.reduce<ThroughputRow | undefined>(
    (top, other) => (top === undefined || other.messagesPerSecond > top.messagesPerSecond ? other : top),
    undefined,
  );
  if (!best) return '';
  return `**${fixed(row.messagesPerSecond / best.messagesPerSecond, 2)}×** ${best.tool.split(' ')[0]}`;
}

/** Ours against ajv on the same input, e.g. TypeBox Check / ajv. */
function validatorRatio(row: ValidatorRow, rows: ValidatorRow[]): string {
  const ajv = rows.find((other) => other.input === row.input && other.name.includes('ajv'));
  if (!ajv || ajv === row) return '';
  return `**${fixed(row.opsPerSecond / ajv.opsPerSecond, 2)}×** ajv`;
}

/** The whole report as markdown. */
export function renderMarkdown(report: BenchReport): string {
  const { environment: env } = report;
  const sections: string[] = [];
  sections.push(`# Benchmark ${env.date.slice(0, 10)}`);
  sections.push(
    [
      `Command: \`${report.command}\``,
      '',
      table(
        ['', ''],
        [
          ['Cores (os.availableParallelism())', String(env.cores)],
          ['CPU', env.cpuModel],
          ['Memory', `${env.memoryGiB} GiB`],
          ['Load average at start (1/5/15 min)', env.loadAverageAtStart.join(' / ')],
          ['Node', env.node],
          ['kafkajs', env.kafkajs],
          ['Broker', `${env.broker} (provider ${env.provider})`],
          ['Java anchors', env.kafkaTools],
          ['kcat', env.kcat],
          [
            'Events',
            `${int(report.options.events)}, seed ${report.options.seed}, ${fixed(report.valueBytesPerEvent)} value bytes on average`,
          ],
        ],
      ),
    ].join('\n'),
  );

  sections.push(
    [
      `## Throughput: ${int(report.options.events)} rating events, one broker, acks=all, LZ4, 3 partitions`,
      '',
      table(
        [
          'Phase',
          'Tool',
          'msg/s',
          'MB/s (values)',
          'Ours ÷ best anchor',
          'Interval s',
          'Wall s',
          'Peak RSS',
          'What the interval covers',
        ],
        report.throughput.map((row) => [
          row.phase,
          row.ours ? `**${row.tool}**` : row.tool,
          int(row.messagesPerSecond),
          fixed(row.megabytesPerSecond, 2),
          ratioToBestAnchor(row, report.throughput),
          fixed(row.seconds, 2),
          fixed(row.wallSeconds, 2),
          mib(row.peakRssBytes),
          row.timing,
        ]),
      ),
    ].join('\n'),
  );

  const ours = report.throughput.filter((row) => row.ours);
  sections.push(
    [
      '## Peak resident memory of ours',
      '',
      table(
        ['Process', 'Peak RSS'],
        ours.map((row) => [row.tool, mib(row.peakRssBytes)]),
      ),
    ].join('\n'),
  );

  sections.push(
    [
      `## Validators, in process: ${int(report.validators[0]?.events ?? 0)} events`,
      '',
      table(
        ['Validator', 'Input', 'ops/s', 'Valid', 'Ratio'],
        report.validators.map((row) => [
          row.name,
          row.input,
          int(row.opsPerSecond),
          int(row.valid),
          validatorRatio(row, report.validators),
        ]),
      ),
    ].join('\n'),
  );

  sections.push(
    [
      '## End-to-end latency, produce → consume at a steady rate (first second left out)',
      '',
      table(
        ['Rate', 'Duration', 'Sent', 'Received', 'Records per send', 'p50 ms', 'p99 ms', 'max ms'],
        report.endToEnd.map((e2e) => [
          `${int(e2e.rate)}/s`,
          `${e2e.seconds} s`,
          int(e2e.sent),
          int(e2e.received),
          String(e2e.batchSize),
          fixed(e2e.p50Ms),
          fixed(e2e.p99Ms),
          fixed(e2e.maxMs),
        ]),
      ),
    ].join('\n'),
  );

  sections.push(
    [
      '## One awaited send at a time (the reference document mode)',
      '',
      table(
        ['Tool', 'Records', 'msg/s', 'avg ms', 'p50 ms', 'p99 ms', 'max ms'],
        report.sequential.map((row) => [
          row.tool,
          int(row.records),
          int(row.messagesPerSecond),
          fixed(row.avgMs, 2),
          fixed(row.p50Ms, 2),
          fixed(row.p99Ms, 2),
          fixed(row.maxMs, 2),
        ]),
      ),
    ].join('\n'),
  );

  for (const profile of report.profiles) {
    sections.push(
      [
        `## CPU profile: ${profile.target} (${int(profile.events)} events, ${fixed(profile.sampledMs / 1000, 2)} s sampled)`,
        '',
        table(
          ['Area', 'Self ms', '%'],
          profile.areas.map((area) => [area.area, int(area.selfMs), fixed(area.percent)]),
        ),
        '',
        table(
          ['Function (startup excluded)', 'Where', 'Self ms', '% of all samples'],
          profile.functions.map((fn) => [`\`${fn.name}\``, fn.location, int(fn.selfMs), fixed(fn.percent)]),
        ),
      ].join('\n'),
    );
  }

  if (report.notes.length > 0)
    sections.push(['## Notes', '', ...report.notes.map((note) => `- ${note}`)].join('\n'));
  return `${sections.join('\n\n')}\n`;
}

/** An ISO date as a file-name part: `2025-01-31T10-20-30Z`. */
export const reportStamp = (isoDate: string): string => isoDate.replace(/:/g, '-').replace(/\.\d+Z$/, 'Z');

/** Writes `bench-<date>.md` and `bench-<date>.json` into `folder`; returns both paths. */
export async function writeReport(
  folder: string,
  report: BenchReport,
): Promise<{ markdown: string; json: string }> {
  await mkdir(folder, { recursive: true });
  const stamp = reportStamp(report.environment.date);
  const markdown = join(folder, `bench-${stamp}.md`);
  const json = join(folder, `bench-${stamp}.json`);
  await writeFile(markdown, renderMarkdown(report));
  await writeFile(json, `${JSON.stringify(report, null, 2)}\n`);
  return { markdown, json };
}
