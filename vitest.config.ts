import { defineConfig } from 'vitest/config';
import { LongestFirstSequencer } from './specs/support/sequencer.ts';

// pact-js reports usage to a remote host unless told not to; specs talk to this machine only. Set
// here, in the main process, so every worker of every project inherits it.
process.env.PACT_DO_NOT_TRACK ??= 'true';

// Three projects so each concern runs alone: `unit` needs no broker, `integration` and
// `contract` share the single broker started by the global setup.
export default defineConfig({
  test: {
    // Integration specs spend their time waiting on brokers (restarts, sessions, outages), not on CPU:
    // four files at once keep a 2-core machine busy. vitest's default (cores - 1) would run them one
    // after another there.
    maxWorkers: 4,
    sequence: { sequencer: LongestFirstSequencer },
    reporters: process.env.CI
      ? ['default', ['junit', { outputFile: `reports/junit-${process.env.KAFKA_PROVIDER ?? 'auto'}.xml` }]]
      : ['default'],
    projects: [
      {
        test: { name: 'unit', include: ['specs/unit/**/*.spec.ts'] },
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
          name: 'contract',
          include: ['specs/contract/**/*.spec.ts'],
          testTimeout: 60_000,
        },
      },
    ],
  },
});
