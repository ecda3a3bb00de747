// The ACLs an application principal needs to run this project's flows (topics, produce, consume,
// verify) on a cluster with an authorizer, derived from the topic and group contracts rather than listed
// by hand. The security spec grants exactly these on a broker of its own and proves every flow runs.

import kafkajs, { type AclEntry } from 'kafkajs';
import { APP_GROUP_PREFIXES } from './groups.ts';
import { TOPICS } from './topics.ts';

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
