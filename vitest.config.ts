import { defineConfig } from 'vitest/config';

// pact-js reports usage to a remote host unless told not to; specs talk to this machine only. Set
// here, in the main process, so every worker of every project inherits it.
process.env.PACT_DO_NOT_TRACK ??= 'true';

// Four projects so each concern runs alone: `unit` and `contract` need no broker; `integration` and
// `spark` (the real Spark job downstream) share the single broker started by the global setup.
export default defineConfig({
  test: {
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
          name: 'spark',
          include: ['specs/spark/**/*.spec.ts'],
          globalSetup: ['specs/global-setup.ts'],
          testTimeout: 60_000,
          hookTimeout: 240_000,
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
