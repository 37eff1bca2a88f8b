import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { CONNECTION_ERRORS } from '../delivery/delivery-diagnostics';
import { isThrottling } from '../delivery/record-writer';
import type { IngestOutcome, UndeliveredReport } from '../ingest/ingest';
import { HttpError, MalformedRequestError, PayloadTooLargeError } from './http-error';
import { jsonResponse } from './json-response';

/** Events were accepted but not written: the SDK must send them again (it retries 429 and 503). */
export class UndeliveredError extends HttpError {
  override readonly name = 'UndeliveredError';
  constructor(
    statusCode: 429 | 503,
    message: string,
    retryAfterSeconds: number,
    details: Record<string, unknown>,
  ) {
    super(statusCode, message, { headers: { 'Retry-After': String(retryAfterSeconds) }, details });
  }
}

/** Error codes STS answers `AssumeRole` with (the writer role could not be assumed). */
const ROLE_ERRORS = new Set([
  'AccessDenied',
  'InvalidClientTokenId',
  'RegionDisabledException',
  'ExpiredToken',
  'ExpiredTokenException',
  'MalformedPolicyDocument',
  'PackedPolicyTooLarge',
  'CredentialsProviderError',
]);

/** An error code as the answer shows it: a connection error in words too (`ECONNREFUSED: connection refused`). */
const shown = (code: string): string =>
  CONNECTION_ERRORS[code] === undefined ? code : `${code}: ${CONNECTION_ERRORS[code]}`;

/**
 * Which dependency failed a destination, for the response and the log: the writer role (STS), the
 * stream (throttling, a fault, a connection refused or cut), and the spill store when it was tried
 * too. Names destination ids and error codes only: never keys, external IDs, role ARNs or endpoint
 * addresses (the delivery diagnostics' log line names where a connection failed).
 */
export function describeUndelivered(report: UndeliveredReport): string {
  const codes = report.errorCodes.join(', ');
  const role = report.errorCodes.filter((code) => ROLE_ERRORS.has(code));
  const stream = report.errorCodes.filter((code) => !ROLE_ERRORS.has(code));
  const target = report.failedStream ? 'failed-events stream' : 'stream';
  const parts = [
    ...(role.length > 0 ? [`its writer role could not be assumed (STS: ${role.join(', ')})`] : []),
    ...(stream.length === 0
      ? []
      : stream.every(isThrottling)
        ? [`its ${target} is throttling writes (${stream.join(', ')})`]
        : [`its ${target} could not take them (${stream.map(shown).join(', ')})`]),
  ];
  const spill = report.spillFailed ? ', and the spill store could not keep them either' : '';
  return `destination "${report.destinationId}": ${parts.join(' and ') || `no write succeeded (${codes})`}${spill}`;
}

/**
 * The status of an ingest outcome, chosen for what the SDKs do with it (docs/architecture.md):
 * 200 when every valid event is in Kinesis, with the refused ones listed; 400/413 only when
 * nothing in the request could ever succeed; 429/503 with `Retry-After` when valid events are not
 * yet written, so the SDK sends them again instead of dropping them.
 */
export function outcomeResponse(
  outcome: IngestOutcome,
  retryAfterSeconds: number,
): APIGatewayProxyStructuredResultV2 {
  switch (outcome.kind) {
    case 'delivered':
      return jsonResponse(200, {
        accepted: outcome.accepted,
        rejected: outcome.rejected,
        ...(outcome.filtered ? { filtered: outcome.filtered } : {}),
        ...(outcome.duplicates ? { duplicates: outcome.duplicates } : {}),
      });
    case 'nothing-valid': {
      const details = { accepted: 0, rejected: outcome.rejected };
      if (outcome.allTooLarge)
        throw new PayloadTooLargeError('Every event in the request is too large', { details });
      throw new MalformedRequestError(
        'No valid event in the request; see "rejected" for the reason of each',
        {
          details,
        },
      );
    }
    case 'undelivered': {
      const most = (failedStream: boolean) =>
        outcome.undelivered
          .filter((report) => (report.failedStream === true) === failedStream)
          .reduce((sum, report) => Math.max(sum, report.count), 0);
      const count = most(false);
      const why = outcome.undelivered.map(describeUndelivered).join('; ');
      const message =
        count > 0
          ? `${count} of ${outcome.accepted} valid events were not written (${why}); send the request again`
          : `${most(true)} refused events could not be kept in the failed-events stream (${why}); send the request again`;
      throw new UndeliveredError(outcome.throttled ? 429 : 503, message, retryAfterSeconds, {
        accepted: 0,
        rejected: outcome.rejected,
      });
    }
  }
}
