// One rule for specs that need something besides Node and a broker (kcat, python3, a native cluster, Spark):
// where the prerequisite is missing they skip and say why, unless the run declares it present with a
// `<NAME>_REQUIRED=true` switch, as CI does once it has installed it: then the file fails instead, so a
// lost prerequisite can never turn a cross-check into a silent skip.

/** The switches CI sets (`.ci/run`) once the prerequisite is installed. */
export type RequiredSwitch = 'CLUSTER_REQUIRED' | 'KCAT_REQUIRED' | 'PYTHON_REQUIRED' | 'SPARK_REQUIRED';

/** What {@link prerequisite} checks: the switch, what the specs are, and why they cannot run (undefined: they can). */
export interface Prerequisite {
  required: RequiredSwitch;
  /** The specs it gates, for the `[skip]` line: "kcat cross-checks". */
  specs: string;
  missing: string | undefined;
}

/**
 * The reason to skip, or undefined when the prerequisite is there. Throws (failing the spec file as it
 * loads) when it is missing and `<required>=true`; otherwise prints one `[skip]` line naming the reason.
 */
export function prerequisite(
  { required, specs, missing }: Prerequisite,
  env: NodeJS.ProcessEnv = process.env,
): string | undefined {
  if (missing === undefined) return undefined;
  if (env[required] === 'true') throw new Error(`${required}=true, but ${specs} cannot run: ${missing}`);
  console.info(`[skip] ${specs}: ${missing} (${required}=true would make this a failure)`);
  return missing;
}
