// Grants the application ACLs (contracts/acls.ts) on the security spec's broker and waits until they hold.

import kafkajs, { type Admin } from 'kafkajs';
import { appAcls } from '../../../contracts/acls.ts';
import { pollUntil } from '../../../helpers/wait/poll-until.ts';

const { AclOperationTypes, AclPermissionTypes, AclResourceTypes, ResourcePatternTypes } = kafkajs;

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
