/**
 * What a valid context value looks like, and the words that tell the operator how to fix one. The
 * external-ID and role-ARN shapes are shared with the Lambda's runtime config (`lambda/contract/`).
 */
import { EXTERNAL_ID_CHARACTERS } from '../../lambda/contract/iam-identifiers';

export { EXTERNAL_ID_PATTERN, ROLE_ARN_PATTERN } from '../../lambda/contract/iam-identifiers';

/** A Kinesis data stream ARN in any partition; captures the region and the stream name. */
export const STREAM_ARN_PATTERN =
  /^arn:aws[-a-z]*:kinesis:([a-z]{2}(?:-[a-z]+)+-\d):\d{12}:stream\/([\w.-]{1,128})$/;
export const ACCOUNT_ID_PATTERN = /^\d{12}$/;
/** An SNS topic ARN in any partition. */
export const TOPIC_ARN_PATTERN = /^arn:aws[-a-z]*:sns:[a-z]{2}(?:-[a-z]+)+-\d:\d{12}:[\w-]{1,256}$/;
/** A plain email address, as SNS's email protocol accepts it. */
export const EMAIL_PATTERN = /^[^\s@,]+@[^\s@,]+\.[^\s@,]+$/;
/** A source or destination id. */
export const ID_PATTERN = /^[A-Za-z0-9_.-]{1,64}$/;
/** The prefix of both stack names. */
export const STACK_PREFIX_PATTERN = /^[A-Za-z][A-Za-z0-9-]{0,100}$/;
/** Retention values CloudWatch Logs accepts. */
export const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

/** How to fix an external ID. */
export const EXTERNAL_ID_RULE = `a valid external ID; use ${EXTERNAL_ID_CHARACTERS} (for example a UUID)`;
/** How to fix a writer role ARN. */
export const ROLE_ARN_RULE =
  'an IAM role ARN; use the WriterRoleArn output of the stream stack, like arn:aws:iam::123456789012:role/Name';
/** How to fix a stream ARN. */
export const STREAM_ARN_RULE =
  'a Kinesis stream ARN; use the StreamArn output of the stream stack, like arn:aws:kinesis:eu-west-1:123456789012:stream/Name';
/** A KMS key ARN in any partition (not an alias: CloudWatch needs the key's own policy to allow it). */
export const KMS_KEY_ARN_PATTERN =
  /^arn:aws[-a-z]*:kms:[a-z]{2}(?:-[a-z]+)+-\d:\d{12}:key\/[0-9a-f-]{36}$|^arn:aws[-a-z]*:kms:[a-z]{2}(?:-[a-z]+)+-\d:\d{12}:key\/mrk-[0-9a-f]{32}$/;
/** How to fix a collector role ARN. */
export const COLLECTOR_ROLE_ARN_RULE =
  'an IAM role ARN; use the CollectorRoleArn output of the collector stack, like arn:aws:iam::111111111111:role/kinesis-event-forwarder/KinesisEventForwarder/Name';

/** A lowercase DNS host name of two labels or more, no wildcard, no trailing dot. */
export const DOMAIN_NAME_PATTERN =
  /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
/** A Route 53 hosted zone ID, as the console shows it. */
/** A same-origin path prefix, like `/collect` or `/t/e`: a leading slash, no trailing one, no wildcard. */
export const SAME_ORIGIN_PREFIX_PATTERN = /^(\/[A-Za-z0-9._~-]+)+$/;
export const SAME_ORIGIN_PREFIX_RULE =
  'a path prefix like /collect (a leading slash, letters, digits, . _ ~ -, no trailing slash), other than /v1';
export const HOSTED_ZONE_ID_PATTERN = /^Z[A-Z0-9]{1,31}$/;
/** An ACM certificate ARN in any partition; captures the region. */
export const CERTIFICATE_ARN_PATTERN =
  /^arn:aws[-a-z]*:acm:([a-z]{2}(?:-[a-z]+)+-\d):\d{12}:certificate\/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/** How to fix a domain name. */
export const DOMAIN_NAME_RULE =
  "a domain name; use the collector's own host name in lowercase, without scheme, path or trailing dot, like events.example.com";
/** How to fix a certificate ARN. */
export const CERTIFICATE_ARN_RULE =
  'an ACM certificate ARN; use one like arn:aws:acm:eu-west-1:123456789012:certificate/<uuid>, in the region you deploy the collector to';
