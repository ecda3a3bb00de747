// Renders a benchmark report as markdown tables and writes it, with the raw JSON, under reports/bench/.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { BenchReport, ThroughputId, ThroughputRow, ValidatorRow } from './results.ts';

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

/** A JavaScript client's rate over the `id` row of the same phase, e.g. `0.93×`; empty for the anchors. */
export function ratioTo(id: ThroughputId, row: ThroughputRow, rows: ThroughputRow[]): string {
  if (row.id === 'kcat' || row.id === 'java' || row.id === id) return '';
  const base = rows.find((other) => other.phase === row.phase && other.id === id);
  return base ? `${fixed(row.messagesPerSecond / base.messagesPerSecond, 2)}×` : '';
}

const rowOf = (rows: ThroughputRow[], phase: ThroughputRow['phase'], id: ThroughputId) =>
  rows.find((row) => row.phase === phase && row.id === id);

const median = (values: number[]): number => {
  const sorted = values.toSorted((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};

/** The issue's targets, each with the figure of this run (and of the median runs) and whether it holds. */
export function targets(report: BenchReport): { target: string; figure: string; met: boolean }[] {
  const ops = (id: ValidatorRow['id']): number =>
    report.validators.find((row) => row.id === id)?.opsPerSecond ?? Number.NaN;
  const ratio = (value: number, goal: number, target: string, medianValue?: number) => ({
    target,
    figure: `${fixed(value, 2)}×${medianValue === undefined ? '' : ` (medians: ${fixed(medianValue, 2)}×)`}`,
    met: value >= goal,
  });
  // Throughput: best run over best run; with several rounds, the ratio of the median runs beside it.
  const throughput = (phase: ThroughputRow['phase'], over: ThroughputId, goal: number, target: string) => {
    const ours = rowOf(report.throughput, phase, 'ours');
    const base = rowOf(report.throughput, phase, over);
    if (!ours || !base) return { target, figure: 'not measured', met: false };
    const medians = ours.runs.length > 1 ? median(ours.runs) / median(base.runs) : undefined;
    return ratio(ours.messagesPerSecond / base.messagesPerSecond, goal, target, medians);
  };
  const single = report.endToEnd.find((e2e) => e2e.batchSize === 1);
  return [
    throughput('produce', 'kafkajs', 0.9, 'produce: ours ≥ 0.9× raw kafkajs'),
    throughput('produce', 'kcat', 0.3, 'produce: ours ≥ 0.3× kcat'),
    throughput('consume', 'kafkajs', 0.9, 'consume: ours ≥ 0.9× raw kafkajs'),
    throughput('consume', 'kcat', 0.5, 'consume: ours ≥ 0.5× kcat'),
    ratio(ops('decoder') / ops('plain'), 1.0, 'decodeRating() ≥ 1.0× UTF-8 + JSON.parse + ajv'),
    ratio(ops('typebox') / ops('ajv'), 1.2, 'TypeBox check ≥ 1.2× ajv'),
    {
      target: 'end-to-end p99 ≤ 10 ms at 1,000/s, one record per send',
      figure: single ? `${fixed(single.p99Ms)} ms` : 'not measured',
      met: single !== undefined && single.p99Ms <= 10,
    },
  ];
}

/** Ours against ajv on the same input, e.g. TypeBox Check / ajv. */
function validatorRatio(row: ValidatorRow, rows: ValidatorRow[]): string {
  const ajv = rows.find((other) => other.id === (row.input === 'objects' ? 'ajv' : 'plain'));
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
          ['Load average at end (1/5/15 min)', env.loadAverageAtEnd.join(' / ')],
          ['Node', env.node],
          ['kafkajs', env.kafkajs],
          ['@platformatic/kafka', env.platformatic],
          ['Broker', `${env.broker} (provider ${env.provider})`],
          ['Java anchors', env.kafkaTools],
          ['kcat', env.kcat],
          [
            'Events',
            `${int(report.options.events)}, seed ${report.options.seed}, ${fixed(report.valueBytesPerEvent)} value bytes on average; throughput: best of ${report.options.rounds} round(s)`,
          ],
        ],
      ),
    ].join('\n'),
  );

  sections.push(
    [
      '## Targets (issue 15), ratios within this run (met = on the best runs)',
      '',
      table(
        ['Target', 'This run', 'Met'],
        targets(report).map(({ target, figure, met }) => [target, figure, met ? 'yes' : '**no**']),
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
          '÷ kafkajs raw',
          '÷ kcat',
          'Interval s',
          'Runs (msg/s)',
          'Wall s',
          'Peak RSS',
          'What the interval covers',
        ],
        report.throughput.map((row) => [
          row.phase,
          row.ours ? `**${row.tool}**` : row.tool,
          int(row.messagesPerSecond),
          fixed(row.megabytesPerSecond, 2),
          ratioTo('kafkajs', row, report.throughput),
          ratioTo('kcat', row, report.throughput),
          fixed(row.seconds, 2),
          row.runs.map(int).join(' / '),
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
