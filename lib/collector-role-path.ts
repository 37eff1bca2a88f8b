/**
 * Where the roles that act for a collector deployment live in IAM, so the writer role and the spill
 * queues can trust them by ARN without a reference to the collector stack (which depends on the stream
 * stack: a reference back would be a cycle) and without fixed role names (which would collide across
 * regions and deployments).
 *
 * Every such role has the IAM path `/kinesis-event-forwarder/<stackPrefix>/`: the collector's function
 * role (created by the collector stack, its name generated), and the operator role you create for
 * `npm run redrive` and `npm run check-destination` (docs/security.md). Creating a role under that
 * path takes `iam:CreateRole`, which is administrator-level in any account.
 */

/** The IAM path every collector deployment's roles share, whatever their stack prefix. */
export const COLLECTOR_ROLE_PATH_ROOT = '/kinesis-event-forwarder/';

/** The IAM path of the roles of the collector deployment named `stackPrefix`. */
export function collectorRolePath(stackPrefix: string): string {
  return `${COLLECTOR_ROLE_PATH_ROOT}${stackPrefix}/`;
}

/**
 * An `ArnLike` pattern for `aws:PrincipalArn` matching the roles of one collector deployment
 * (`stackPrefix` given) or of every collector deployment (omitted) in `accountId`. A role's
 * `aws:PrincipalArn` is its ARN with its path, also when a session of it makes the request.
 */
export function collectorRoleArnPattern(partition: string, accountId: string, stackPrefix?: string): string {
  return roleArnPatternUnder(
    partition,
    accountId,
    stackPrefix === undefined ? COLLECTOR_ROLE_PATH_ROOT : collectorRolePath(stackPrefix),
  );
}

/** An `ArnLike` pattern matching every role under the IAM `path` (`/a/b/`) of `accountId`. */
export function roleArnPatternUnder(partition: string, accountId: string, path: string): string {
  return `arn:${partition}:iam::${accountId}:role${path}*`;
}
