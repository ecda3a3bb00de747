// A flow's metrics are a by-product: their failure is reported next to the run's outcome, never over it.

/** What the metrics publication did. */
export type MetricsOutcome = { topic: string; published: string[] } | { topic: string; error: string };

/** Runs `publish` and reports what it published or why it could not. */
export async function metricsOutcome(
  topic: string,
  publish: () => Promise<{ name: string }[]>,
): Promise<MetricsOutcome> {
  try {
    const events = await publish();
    return { topic, published: events.map((event) => event.name) };
  } catch (error) {
    return { topic, error: error instanceof Error ? error.message : String(error) };
  }
}

/** The summary line for a metrics outcome, its label padded to `width` as the rest of the summary. */
export function metricsLine(outcome: MetricsOutcome, width: number): string {
  const label = `  ${'metrics'.padEnd(width)}`;
  return 'error' in outcome
    ? `${label}NOT published to ${outcome.topic}: ${outcome.error}`
    : `${label}${outcome.published.join(', ')} -> ${outcome.topic}`;
}
