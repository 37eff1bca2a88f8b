import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import { createCollector } from '../../lambda/collector';
import type { RuntimeConfigInput } from '../../lambda/config/runtime-config';
import { type ApiGatewayServer, startApiGatewayServer } from '../../local/api-gateway-server';
import { emulatorClient, LOCAL_CALLER_CREDENTIALS } from '../../local/local-mode';
import { type LocalSts, startLocalSts } from '../../local/local-sts';
import { ensureStream } from '../../local/streams';
import { type SynthesizedWriterRole, synthesizeWriterRole } from '../../local/trust-policy';
import { readAllRecords, type StoredRecord } from './stream-reader';
import { startTestKinesis } from './test-collector';

const roles = new Map<string, SynthesizedWriterRole>();

/** The CDK app's writer role trusting `externalIds`, synthesized once per list in a test file. */
export function writerRoleTrusting(externalIds: readonly string[]): SynthesizedWriterRole {
  const key = JSON.stringify(externalIds);
  let role = roles.get(key);
  if (role === undefined) {
    role = synthesizeWriterRole({ externalIds });
    roles.set(key, role);
  }
  return role;
}

/** Lines written to stdout and stderr (Powertools logs and EMF metrics), parsed when JSON. */
export interface CapturedOutput {
  readonly lines: () => Record<string, unknown>[];
  restore(): void;
}

/** Captures what Powertools prints (its Console writes to process.stdout and process.stderr). */
export function captureOutput(): CapturedOutput {
  const lines: Record<string, unknown>[] = [];
  const capture = (chunk: unknown) => {
    for (const line of String(chunk).split('\n')) {
      if (!line.startsWith('{')) continue;
      try {
        lines.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        // not a JSON line
      }
    }
    return true;
  };
  const out = jest.spyOn(process.stdout, 'write').mockImplementation(capture);
  const err = jest.spyOn(process.stderr, 'write').mockImplementation(capture);
  return {
    lines: () => [...lines],
    restore: () => {
      out.mockRestore();
      err.mockRestore();
    },
  };
}

export interface AssumeRoleCollectorOptions {
  /** External IDs the synthesized writer role trusts. */
  readonly trustedExternalIds: readonly string[];
  /** Destination ids; each gets its own stream. */
  readonly destinationIds: readonly string[];
  /** The external ID each destination assumes the role with. */
  readonly externalIdOf: (destinationId: string) => string;
  /** Sources: id, write key and destination ids. */
  readonly sources: readonly { id: string; writeKey: string; destinations: string[] }[];
  /** Lifetime of the credentials the local STS issues. @default DurationSeconds */
  readonly credentialSeconds?: number;
}

export interface AssumeRoleCollector {
  readonly url: string;
  readonly sts: LocalSts;
  readonly role: SynthesizedWriterRole;
  readonly kinesis: KinesisClient;
  /** The stream of a destination. */
  streamOf(destinationId: string): string;
  records(destinationId: string): Promise<StoredRecord[]>;
  stop(): Promise<void>;
}

let counter = 0;

/**
 * The deployed entry point (`createCollector` of `lambda/index.ts`, configured through its env)
 * behind the local API Gateway, writing to kinesalite only with credentials it gets from the local
 * STS, whose trust policy is the CDK app's. Logs at INFO and metrics go to the real Powertools
 * output: capture it with {@link captureOutput}.
 */
export async function startAssumeRoleCollector(
  options: AssumeRoleCollectorOptions,
): Promise<AssumeRoleCollector> {
  const kinesisServer = await startTestKinesis();
  const kinesis = emulatorClient(kinesisServer.endpoint, 'us-east-1');
  const role = writerRoleTrusting(options.trustedExternalIds);
  const sts = await startLocalSts({
    role,
    ...(options.credentialSeconds === undefined ? {} : { credentialSeconds: options.credentialSeconds }),
  });
  const run = `${process.pid}-${++counter}`;
  const streamOf = (destinationId: string) => `assume-${run}-${destinationId}`;
  for (const id of options.destinationIds) await ensureStream(kinesis, streamOf(id), 2);
  const config: RuntimeConfigInput = {
    sources: options.sources.map((source) => ({
      id: source.id,
      writeKeys: [source.writeKey],
      destinations: source.destinations,
    })),
    destinations: options.destinationIds.map((id) => ({
      id,
      streamName: streamOf(id),
      region: 'us-east-1',
      endpoint: kinesisServer.endpoint,
      roleArn: role.roleArn,
      externalId: options.externalIdOf(id),
      stsEndpoint: sts.endpoint,
    })),
  };
  const handler = createCollector({
    env: { COLLECTOR_CONFIG: JSON.stringify(config) },
    logger: new Logger({ serviceName: 'kinesis-event-forwarder', logLevel: 'INFO' }),
    metrics: new Metrics({ namespace: 'KinesisEventForwarder', serviceName: 'kinesis-event-forwarder' }),
    clientOptions: { callerCredentials: { ...LOCAL_CALLER_CREDENTIALS } },
  });
  const collector: ApiGatewayServer = await startApiGatewayServer({ handler, port: 0 });
  return {
    url: collector.url,
    sts,
    role,
    kinesis,
    streamOf,
    records: (destinationId) => readAllRecords(kinesis, streamOf(destinationId)),
    stop: async () => {
      await collector.close();
      await sts.stop();
      kinesis.destroy();
      await kinesisServer.stop();
    },
  };
}
