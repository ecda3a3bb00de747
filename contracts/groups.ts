// The consumer groups this project's flows join, in one place: the ACLs an application principal needs
// (contracts/acls.ts) are granted on their prefixes, so a new group name cannot drift from them.

/** The consume command's default group. */
export const CONSUME_GROUP = 'ratings-consumer-hello-world';
/** verify's groups: this prefix and a fresh UUID per run. */
export const VERIFY_GROUP_PREFIX = 'ratings-verify';
/** The metrics reader's groups (verify's last step): this prefix and a fresh UUID per run. */
export const METRICS_READER_GROUP_PREFIX = 'metrics-reader';

/**
 * The group-name prefixes granted READ to an application principal: `ratings-` covers the consume
 * command's groups (its default and the `ratings-...` names a team picks) and verify's.
 */
export const APP_GROUP_PREFIXES = ['ratings-', `${METRICS_READER_GROUP_PREFIX}-`] as const;

/** True when an application principal with the app ACLs may use `group`. */
export const grantedGroup = (group: string): boolean =>
  APP_GROUP_PREFIXES.some((prefix) => group.startsWith(prefix));
