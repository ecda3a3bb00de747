// Starts the longest spec files first. Four run at once; the suite's wall time is the time of its
// longest file plus whatever could not start beside it, so the files that wait on brokers of their own
// (restarts, outages, a secured broker) must not queue behind short ones. vitest orders by the previous
// run's durations when it has them and by file size otherwise, which on a fresh clone puts them late.
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/** Spec files, longest first, that wait on brokers of their own; everything else keeps vitest's order. */
const LONGEST_FIRST = [
  'three-brokers.spec.ts',
  'spark-recommender-job.spec.ts',
  'faults-restarts.spec.ts',
  'faults-outage.spec.ts',
  'security.spec.ts',
  'cli.spec.ts',
  'consumer-faults.spec.ts',
];

const rank = (spec: TestSpecification): number => {
  const index = LONGEST_FIRST.findIndex((name) => spec.moduleId.endsWith(`/${name}`));
  return index === -1 ? LONGEST_FIRST.length : index;
};

/** vitest's sequencer, with the files above moved to the front in that order. */
export class LongestFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    return sorted
      .map((spec, index) => ({ spec, index }))
      .sort((a, b) => rank(a.spec) - rank(b.spec) || a.index - b.index)
      .map(({ spec }) => spec);
  }
}
