import { defineConfig } from 'vitest/config';
import { LongestFirstSequencer } from './specs/support/sequencer.ts';

// pact-js reports usage to a remote host unless told not to; specs talk to this machine only. Set
// here, in the main process, so every worker of every project inherits it.
process.env.PACT_DO_NOT_TRACK ??= 'true';

// Four projects so each concern runs alone: `unit` and `contract` need no broker; `integration` and
// `spark` (the real Spark job downstream) share the single broker started by the global setup.
export default defineConfig({
  test: {
    // Integration specs spend their time waiting on brokers (restarts, sessions, outages), not on CPU:
    // four files at once keep a 2-core machine busy. vitest's default (cores - 1) would run them one
    // after another there.
    maxWorkers: 4,
    sequence: { sequencer: LongestFirstSequencer },
    // `npm run test:coverage` (and the native gate of .ci/run). The gate measured 81 % of lines and 68 %
    // of branches (child processes included; the three-broker cluster and the Testcontainers provider are
    // covered by passes of their own, not counted here). Thresholds sit a few points under that: a floor
    // that catches a spec gone missing, not a target.
    coverage: {
      provider: 'v8',
      include: ['helpers/**/*.ts', 'contracts/**/*.ts', 'bin/**/*.ts'],
      // The CLI's own runs, the consumer children and the npm-script entry points run in processes of
      // their own: V8 coverage follows them (NODE_V8_COVERAGE) and merges theirs into the report.
      autoAttachSubprocess: true,
      exclude: ['helpers/kafka/image/**'],
      reporter: ['text-summary', ['json-summary', { file: 'coverage-summary.json' }]],
      reportsDirectory: 'reports/coverage',
      reportOnFailure: true,
      thresholds: { lines: 76, branches: 63 },
    },
    reporters: process.env.CI
      ? ['default', ['junit', { outputFile: `reports/junit-${process.env.KAFKA_PROVIDER ?? 'auto'}.xml` }]]
      : ['default'],
    projects: [
      {
        // Property specs run 300-1,000 cases in a second or two; the timeout is for a starved machine
        // (four workers and other suites beside them), not a target.
        test: {
          name: 'unit',
          include: ['specs/unit/**/*.spec.ts'],
          // Unit specs share no mutable state (no mocks, no env writes), so files in one worker share their
          // imports: a third of the project's time was every file importing the same modules again.
          isolate: false,
          testTimeout: 20_000,
          hookTimeout: 20_000,
        },
      },
      {
        test: {
          name: 'integration',
          include: ['specs/integration/**/*.spec.ts'],
          globalSetup: ['specs/global-setup.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
      {
        test: {
          name: 'spark',
          include: ['specs/spark/**/*.spec.ts'],
          globalSetup: ['specs/global-setup.ts'],
          testTimeout: 60_000,
          hookTimeout: 240_000,
        },
      },
      {
        // Three brokers of its own: run once per CI run (the native pass), outside the npm test gate.
        test: {
          name: 'cluster',
          include: ['specs/cluster/**/*.spec.ts'],
          globalSetup: ['specs/global-setup.ts'],
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
      {
        test: {
          name: 'contract',
          include: ['specs/contract/**/*.spec.ts'],
          testTimeout: 60_000,
        },
      },
    ],
  },
});
