import type { Logger } from '@aws-lambda-powertools/logger';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { RuntimeDestination } from '../config/runtime-config';
import { METRIC_DIMENSIONS } from '../contract/collector-metrics';
import type { MetricSink } from '../observability/metric-sink';
import type { WriteReport } from './record-writer';

/** What an error code means for a destination, and what its owner must change. */
export interface DeliveryProblem {
  readonly meaning: string;
  readonly fix: string;
}

/** An external ID as logs may show it: all but its last four characters masked. */
export function maskExternalId(externalId: string): string {
  return externalId.length <= 4 ? '****' : `****${externalId.slice(-4)}`;
}

type Explain = (destination: RuntimeDestination, errorMessage: string) => DeliveryProblem;

/** What Node's connection errors mean, in words (the code stays in the log line and the metric). */
export const CONNECTION_ERRORS: Readonly<Record<string, string>> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  EPIPE: 'connection closed while writing',
  ETIMEDOUT: 'connection timed out',
  ENOTFOUND: 'host name not found',
  EAI_AGAIN: 'host name lookup failed',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
};

/**
 * Where a connection failed: the address Node names (`connect ECONNREFUSED 127.0.0.1:4567`), else
 * the destination's endpoint, else the regional Kinesis endpoint the SDK uses.
 */
function whereConnected(destination: RuntimeDestination, errorMessage: string): string {
  const address = /\bE[A-Z0-9_]+ (\S+)$/.exec(errorMessage)?.[1];
  return address ?? destination.endpoint ?? `kinesis.${destination.region}.amazonaws.com`;
}

/** A connection error of a destination: what failed where, and what to check. */
function explainConnection(errorCode: string): Explain {
  return (destination, errorMessage) => {
    const where = whereConnected(destination, errorMessage);
    return {
      meaning: `${CONNECTION_ERRORS[errorCode]} at ${where} (stream "${destination.streamName}"); records are retried until the request's deadline, then answered 503 or spilled`,
      fix:
        destination.endpoint === undefined
          ? "check the function's network path to Kinesis in its region (VPC endpoint, security groups, DNS)"
          : `check that a Kinesis-compatible service answers at ${where} (local mode: the emulator at KINESIS_ENDPOINT, or unset KINESIS_ENDPOINT and npm start runs one)`,
    };
  };
}

const kmsFix =
  'the stream is encrypted with a customer-managed KMS key: the writer role needs kms:GenerateDataKey on it, in its role policy and in the key policy';

/**
 * The catalogue of errors no retry can fix, by error code: configuration errors of a destination
 * (docs/cross-account.md shows the same table). STS answers `AccessDenied`; Kinesis answers
 * `AccessDeniedException`. Connection errors (`ECONNREFUSED`, ...) are explained too, naming where.
 */
const CATALOGUE: Readonly<Record<string, Explain>> = {
  AccessDenied: (d) => ({
    meaning: `STS refused to let this function assume ${d.roleArn ?? 'the writer role'}${
      d.externalId === undefined
        ? ' without an external ID'
        : ` with external ID ${maskExternalId(d.externalId)}`
    }`,
    fix: 'set the destination\'s externalId to one of the external IDs the writer role trusts (the stream stack\'s "externalIds"), set roleArn to the stream stack\'s WriterRoleArn output, and check that the role trusts this function\'s account ("collectorAccountId") and that this function may call sts:AssumeRole on it',
  }),
  AccessDeniedException: (d) => ({
    meaning: `the ${d.roleArn === undefined ? "function's own role" : 'writer role'} may not put records into stream "${d.streamName}" in ${d.region}`,
    fix: "allow kinesis:PutRecords on the stream's ARN in the writer role's policy (the stream stack grants it on its own stream only: check that streamName and region name that stream)",
  }),
  ResourceNotFoundException: (d) => ({
    meaning: `there is no stream "${d.streamName}" in ${d.region} in the account the credentials belong to`,
    fix: "set streamName to the stream stack's StreamName output and region to the region it is deployed in; if the stream was deleted, deploy the stream stack again",
  }),
  KMSAccessDeniedException: () => ({ meaning: 'KMS refused to encrypt the records', fix: kmsFix }),
  KMSDisabledException: () => ({
    meaning: "the stream's KMS key is disabled",
    fix: 'enable the key (KMS console or kms:EnableKey) in the stream account',
  }),
  KMSInvalidStateException: () => ({
    meaning: "the stream's KMS key cannot be used in its current state (pending deletion or import)",
    fix: 'cancel the key deletion (kms:CancelKeyDeletion) and enable the key, or encrypt the stream with another key',
  }),
  KMSNotFoundException: () => ({
    meaning: "the stream's KMS key does not exist",
    fix: 'encrypt the stream with an existing key (kinesis:StartStreamEncryption) or deploy the stream stack again',
  }),
  KMSOptInRequired: () => ({
    meaning: 'the stream account is not subscribed to KMS',
    fix: 'subscribe the stream account to AWS KMS, or use the AWS-managed key',
  }),
  UnrecognizedClientException: () => ({
    meaning: 'Kinesis does not know the access key the records were signed with',
    fix: 'replace the destination\'s static "credentials" with a current access key of the stream account, or use roleArn',
  }),
  InvalidClientTokenId: () => ({
    meaning: 'STS does not know the access key the AssumeRole call was signed with',
    fix: "check the function's own credentials (its execution role), not the destination",
  }),
  RegionDisabledException: (d) => ({
    meaning: `STS is not activated in ${d.region} for the writer role's account`,
    fix: 'activate the STS regional endpoint in IAM account settings of the stream account, or use a region where it is active',
  }),
  // Retried, unlike the errors above, but as unlikely to pass by itself while it lasts: said once.
  ...Object.fromEntries(Object.keys(CONNECTION_ERRORS).map((code) => [code, explainConnection(code)])),
};

/**
 * What a destination's problem is and how to fix it; `undefined` for errors a retry can fix.
 * `errorMessage` (the error's own) lets a connection error name the address that failed.
 */
export function explainDeliveryError(
  errorCode: string,
  destination: RuntimeDestination,
  errorMessage = '',
): DeliveryProblem | undefined {
  return CATALOGUE[errorCode]?.(destination, errorMessage);
}

/** Receives each write's report; the record writer calls it when it is done with a batch. */
export interface WriteObserver {
  written(report: WriteReport): void;
}

export interface DeliveryDiagnosticsOptions {
  readonly logger: Pick<Logger, 'error' | 'info'>;
  /** Where `DeliveryErrors` is counted; each count is flushed at once (EMF, one line per code). */
  readonly metrics?: Pick<MetricSink, 'singleMetric'>;
}

/**
 * Makes delivery failures visible without flooding the logs: every record not written is counted
 * in the `DeliveryErrors` metric (dimension `errorCode`); a configuration error of the catalogue is
 * logged once per destination and error code, with what it means and what to fix, until the
 * destination delivers again or its configuration changes ({@link forget}). Never logs secrets:
 * external IDs are masked, static keys never appear.
 */
export class DeliveryDiagnostics {
  /** Codes already logged per destination, since the cold start, the last success or the last change. */
  private readonly logged = new Map<string, Set<string>>();

  constructor(private readonly options: DeliveryDiagnosticsOptions) {}

  /** The observer to give the record writer of `destination`. */
  observer(destination: RuntimeDestination): WriteObserver {
    return { written: (report) => this.written(destination, report) };
  }

  /** The destination's configuration changed: its next errors are logged again. */
  forget(destinationId: string): void {
    this.logged.delete(destinationId);
  }

  private written(destination: RuntimeDestination, report: WriteReport): void {
    if (report.failed.length === 0) {
      if (this.logged.has(destination.id)) {
        this.logged.delete(destination.id);
        this.options.logger.info(`Delivery to destination "${destination.id}" works again`, {
          destinationId: destination.id,
        });
      }
      return;
    }
    const byCode = new Map<string, { count: number; message: string }>();
    for (const failure of report.failed) {
      const entry = byCode.get(failure.errorCode) ?? { count: 0, message: failure.errorMessage };
      entry.count++;
      byCode.set(failure.errorCode, entry);
    }
    for (const [errorCode, { count, message }] of byCode) {
      this.count(errorCode, count);
      const problem = explainDeliveryError(errorCode, destination, message);
      if (problem === undefined) continue;
      const logged = this.logged.get(destination.id) ?? new Set<string>();
      if (logged.has(errorCode)) continue;
      logged.add(errorCode);
      this.logged.set(destination.id, logged);
      this.options.logger.error(
        `Delivery to destination "${destination.id}" fails with ${errorCode}: ${problem.meaning}. To fix: ${problem.fix}.`,
        {
          destinationId: destination.id,
          errorCode,
          fix: problem.fix,
          awsMessage: message,
          streamName: destination.streamName,
          region: destination.region,
          ...(destination.roleArn === undefined ? {} : { roleArn: destination.roleArn }),
          ...(destination.externalId === undefined
            ? {}
            : { externalId: maskExternalId(destination.externalId) }),
          records: count,
        },
      );
    }
  }

  private count(errorCode: string, records: number): void {
    if (this.options.metrics === undefined) return;
    const metric = this.options.metrics.singleMetric();
    metric.addDimension(METRIC_DIMENSIONS.DeliveryErrors, errorCode);
    metric.addMetric('DeliveryErrors', MetricUnit.Count, records);
  }
}
