// The ACLs an application principal needs to run this project's flows (topics, produce, consume,
// verify) on a cluster with an authorizer, derived from the topic contracts rather than listed by hand.

import kafkajs, { type AclEntry, type Admin } from 'kafkajs';
import { APP_GROUP_PREFIXES } from '../../contracts/groups.ts';
import { TOPICS } from '../../contracts/topics.ts';
import { pollUntil } from '../wait/poll-until.ts';

const { AclOperationTypes, AclPermissionTypes, AclResourceTypes, ResourcePatternTypes } = kafkajs;

/**
 * On every contract topic: create it when missing (verify, `topics create`), read its configuration
 * (drift checks), describe it (metadata, offsets), write and read it.
 */
const TOPIC_OPERATIONS = [
  AclOperationTypes.CREATE,
  AclOperationTypes.DESCRIBE,
  AclOperationTypes.DESCRIBE_CONFIGS,
  AclOperationTypes.WRITE,
  AclOperationTypes.READ,
];

/** The ACL entries that let `principal` (e.g. `User:ratings-app`) run every flow of this project. */
export function appAcls(principal: string): AclEntry[] {
  const allow = (
    resourceType: AclEntry['resourceType'],
    resourceName: string,
    resourcePatternType: AclEntry['resourcePatternType'],
    operation: AclEntry['operation'],
  ): AclEntry => ({
    resourceType,
    resourceName,
    resourcePatternType,
    operation,
    principal,
    host: '*',
    permissionType: AclPermissionTypes.ALLOW,
  });
  return [
    ...TOPICS.flatMap((topic) =>
      TOPIC_OPERATIONS.map((operation) =>
        allow(AclResourceTypes.TOPIC, topic.name, ResourcePatternTypes.LITERAL, operation),
      ),
    ),
    // Read on a group covers joining it, committing and fetching its offsets.
    ...APP_GROUP_PREFIXES.map((prefix) =>
      allow(AclResourceTypes.GROUP, prefix, ResourcePatternTypes.PREFIXED, AclOperationTypes.READ),
    ),
    // DescribeCluster (verify's first step) and the idempotent producer's producer id.
    allow(
      AclResourceTypes.CLUSTER,
      'kafka-cluster',
      ResourcePatternTypes.LITERAL,
      AclOperationTypes.DESCRIBE,
    ),
    allow(
      AclResourceTypes.CLUSTER,
      'kafka-cluster',
      ResourcePatternTypes.LITERAL,
      AclOperationTypes.IDEMPOTENT_WRITE,
    ),
  ];
}

/** The ACLs of `principal` the broker's authorizer currently holds. */
async function aclCount(admin: Admin, principal: string): Promise<number> {
  const described = await admin.describeAcls({
    resourceType: AclResourceTypes.ANY,
    resourcePatternType: ResourcePatternTypes.ANY,
    principal,
    operation: AclOperationTypes.ANY,
    permissionType: AclPermissionTypes.ANY,
  });
  return described.resources.reduce((sum, resource) => sum + resource.acls.length, 0);
}

/**
 * Grants {@link appAcls} through `admin` (a super user) and resolves once the broker enforces them: the
 * controller commits the ACLs, but the broker's authorizer applies them a moment later.
 */
export async function grantAppAcls(admin: Admin, principal: string, timeoutMs = 10_000): Promise<void> {
  const acl = appAcls(principal);
  await admin.createAcls({ acl });
  await pollUntil(
    () => aclCount(admin, principal),
    (held) => held >= acl.length,
    {
      what: `the broker to enforce the ${acl.length} ACLs granted to ${principal}`,
      timeoutMs,
      show: (held) => `${String(held)} ACLs held`,
    },
  );
}
