/**
 * The shapes of the IAM identifiers the deploy-time config (`lib/config/`), the runtime config
 * (`lambda/config/`) and local mode (`local/`) all accept. One definition, so a value the CDK app
 * accepts is never refused by the Lambda at cold start, and the other way round.
 */

/** AWS's own limits for `sts:ExternalId`: 2-1224 characters of letters, digits and `+=,.@:/-_`. */
export const EXTERNAL_ID_PATTERN = /^[\w+=,.@:/-]{2,1224}$/;

/** What {@link EXTERNAL_ID_PATTERN} allows, in words, for error messages. */
export const EXTERNAL_ID_CHARACTERS = '2-1224 characters of letters, digits and + = , . @ : / _ -';

/** An IAM role ARN in any partition (aws, aws-cn, aws-us-gov, ...). */
export const ROLE_ARN_PATTERN = /^arn:aws[-a-z]*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/;

/**
 * How every session this project opens on a writer role is named; the writer role's trust policy
 * (`lib/constructs/stream-writer-role.ts`) accepts no other (`sts:RoleSessionName` like
 * `kinesis-event-forwarder-*`).
 */
export const ROLE_SESSION_NAME_PREFIX = 'kinesis-event-forwarder-';

/** `RoleSessionName` for a destination: visible in the customer's CloudTrail, 2-64 chars of [\w+=,.@-]. */
export function roleSessionName(destinationId: string): string {
  return `${ROLE_SESSION_NAME_PREFIX}${destinationId}`.replace(/[^\w+=,.@-]/g, '-').slice(0, 64);
}
