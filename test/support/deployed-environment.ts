import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import { Template } from 'aws-cdk-lib/assertions';
import { emulatorClient, LOCAL_CALLER_CREDENTIALS } from '../../local/local-mode';
import { type LocalSts, startLocalSts } from '../../local/local-sts';
import { ensureStream } from '../../local/streams';
import { LOCAL_ACCOUNT_ID, type PolicyDocument, type SynthesizedWriterRole } from '../../local/trust-policy';
import { type DeployedValues, resolvedOutputs, resolveIntrinsics } from '../lib/support/resolve-intrinsics';
import { COLLECTOR_FUNCTION_PATTERN, onlyLogicalId } from '../lib/support/template-assertions';
import { cliSynth } from './cli-synth';
import { type H2cProxy, startH2cProxy } from './h2c-proxy';
import { startTestSecretsManager, type TestSecretsManager } from './secrets-manager-server';
import { startTestSqs, type TestSqs } from './sqs-server';
import { type RawRecord, readAllRecords, readRawRecords, type StoredRecord } from './stream-reader';
import { topologyTemplates } from './synth-cache';
import { startTestKinesis } from './test-collector';

const REGION = 'us-east-1';

/** The collector function of the synthesized collector stack: its environment and timeout. */
export interface SynthesizedFunction {
  /** `Environment.Variables` as the template has them (CloudFormation intrinsics unresolved). */
  readonly environment: Record<string, unknown>;
  readonly timeoutSeconds: number;
  readonly memorySizeMb: number;
  readonly handler: string;
  readonly runtime: string;
}

function synthesizedFunction(template: Template): SynthesizedFunction {
  const id = onlyLogicalId(template, 'AWS::Lambda::Function', COLLECTOR_FUNCTION_PATTERN);
  const properties = template.toJSON().Resources[id].Properties as {
    Environment: { Variables: Record<string, unknown> };
    Timeout: number;
    MemorySize: number;
    Handler: string;
    Runtime: string;
  };
  return {
    environment: properties.Environment.Variables,
    timeoutSeconds: properties.Timeout,
    memorySizeMb: properties.MemorySize,
    handler: properties.Handler,
    runtime: properties.Runtime,
  };
}

/**
 * A value for every `Ref` and `Fn::GetAtt <id>.Arn` of a template, shaped as CloudFormation would
 * give them (`<stack>-<logicalId>` names, ARNs in the local account); `overrides` win.
 */
function deployedValues(
  stackName: string,
  template: Template,
  overrides: { refs?: Record<string, string>; attributes?: Record<string, string> },
  outputs: Record<string, string> = {},
): DeployedValues {
  const resources = template.toJSON().Resources as Record<string, { Type: string }>;
  const refs: Record<string, string> = {};
  const attributes: Record<string, string> = {};
  for (const [id, resource] of Object.entries(resources)) {
    const service = resource.Type.split('::')[1]?.toLowerCase() ?? 'unknown';
    refs[id] = `${stackName}-${id}`;
    attributes[`${id}.Arn`] = `arn:aws:${service}:${REGION}:${LOCAL_ACCOUNT_ID}:${stackName}-${id}`;
  }
  return {
    partition: 'aws',
    region: REGION,
    accountId: LOCAL_ACCOUNT_ID,
    refs: { ...refs, ...overrides.refs },
    attributes: { ...attributes, ...overrides.attributes },
    outputs,
  };
}

/**
 * What the Lambda service adds to a function's own environment: region, the execution role's
 * keys (here: keys the local STS attributes to the local account), function name and memory.
 */
export function lambdaRuntimeEnvironment(fn: SynthesizedFunction): Record<string, string> {
  return {
    AWS_REGION: REGION,
    AWS_DEFAULT_REGION: REGION,
    AWS_ACCESS_KEY_ID: LOCAL_CALLER_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_CALLER_CREDENTIALS.secretAccessKey,
    AWS_SESSION_TOKEN: 'local-collector-session',
    AWS_LAMBDA_FUNCTION_NAME: 'KinesisEventForwarder-Collector-CollectorFunction',
    AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(fn.memorySizeMb),
    AWS_EXECUTION_ENV: `AWS_Lambda_${fn.runtime}`,
    TZ: ':UTC',
  };
}

export interface DeployedEnvironment {
  /**
   * The function's environment: the synthesized template's variables with every intrinsic resolved
   * as a deploy would, what the Lambda service adds, and `AWS_ENDPOINT_URL_<SERVICE>` pointing each
   * AWS service the function calls at its local stand-in.
   */
  readonly env: Record<string, string>;
  readonly fn: SynthesizedFunction;
  /** The configuration document the template gives the function (`COLLECTOR_CONFIG`), parsed. */
  readonly collectorConfig: {
    sources: { id: string }[];
    destinations: { id: string; streamName: string; roleArn: string; externalId: string }[];
  };
  readonly streamName: string;
  /** The HTTP/2 front of the stream emulator: the function's Kinesis endpoint. */
  readonly kinesisFront: H2cProxy;
  readonly sts: LocalSts;
  readonly role: SynthesizedWriterRole;
  readonly sqs: TestSqs;
  /** The spill queue's name on the SQS stand-in (the queue of `SPILL_QUEUE_URL`). */
  readonly spillQueueName: string;
  readonly secretsManager: TestSecretsManager;
  readonly writeKeysSecretArn: string;
  /**
   * Stores the write key(s) of the template's first source in the write-keys secret, as an operator
   * would: `{ "<sourceId>": "<key>" }`, or an array of keys (the rotation form).
   */
  putWriteKeys(keys: string | readonly string[]): void;
  /** The collector function's bundled asset directory in the cloud assembly (with `bundled`). */
  readonly assetDir?: string;
  /**
   * The environment of the function of another synth of the collector stack (a configuration
   * document, say), resolved against this environment's stream stack and stand-ins as `env` is;
   * `refs` override values by logical id (another write-key secret).
   */
  environmentOf(collectorTemplate: Template, refs?: Record<string, string>): Record<string, string>;
  /** The failed-events stream's name on the stream stand-in. */
  readonly failedStreamName?: string;
  /** The failed-events stream's records. */
  failedRecords(): Promise<StoredRecord[]>;
  records(): Promise<StoredRecord[]>;
  /** The stream's Kinesis records as stored (KPL aggregated ones not unpacked). */
  rawRecords(): Promise<RawRecord[]>;
  stop(): Promise<void>;
}

let counter = 0;

export interface DeployedEnvironmentOptions {
  /** The external ID the writer role trusts and the collector assumes it with (context `externalIds`). */
  readonly externalId: string;
  /**
   * Synthesize with `npx cdk synth` (bundling on; test/support/cli-synth.ts, shared by the run), so
   * the function's asset (`index.js`) is there to run. @default false: in-process synth without
   * bundling, nothing on disk
   */
  readonly bundled?: boolean;
  /**
   * Where the bundled synth writes its cloud assembly (with `bundled`), for callers outside jest.
   * @default the jest run's synth cache directory, else a new temporary directory
   */
  readonly synthDir?: string;
}

interface Synthesized {
  readonly streamStack: { readonly stackName: string };
  readonly collectorStack: { readonly stackName: string };
  readonly streamTemplate: Template;
  readonly collectorTemplate: Template;
  /** The collector function's asset directory in the cloud assembly (with `bundled`). */
  readonly assetDir?: string;
}

/** The same-account topology, from cdk.json's context plus the external ID, as `cdk synth` builds it. */
async function synthesize(options: DeployedEnvironmentOptions): Promise<Synthesized> {
  if (options.bundled !== true) {
    const { stream, collector } = topologyTemplates({ externalIds: options.externalId });
    if (stream === undefined || collector === undefined) {
      throw new Error('the same-account topology synthesized no stream or collector stack');
    }
    return {
      streamStack: { stackName: stream.stackName },
      collectorStack: { stackName: collector.stackName },
      streamTemplate: stream.template,
      collectorTemplate: collector.template,
    };
  }
  return synthesizeWithCli(options.externalId, options.synthDir);
}

/**
 * `npx cdk synth` as CI and a deploy run it (the pinned CLI, cdk.json's app and context, bundling
 * by esbuild, no credentials), once per run (test/support/cli-synth.ts); its output is shown only if
 * it fails. The stacks are told apart by what they hold: the stream, the function.
 */
async function synthesizeWithCli(externalId: string, synthDir: string | undefined): Promise<Synthesized> {
  const { outdir, status, stdout, stderr } = await cliSynth({ externalIds: externalId }, synthDir);
  if (status !== 0) throw new Error(`npx cdk synth failed (exit status ${status}):\n${stdout}\n${stderr}`);
  const stacks = readdirSync(outdir)
    .filter((name) => name.endsWith('.template.json'))
    .map((name) => ({
      stackName: name.slice(0, -'.template.json'.length),
      template: Template.fromJSON(JSON.parse(readFileSync(join(outdir, name), 'utf8'))),
    }));
  const holding = (type: string) => {
    const found = stacks.filter((stack) => Object.keys(stack.template.findResources(type)).length > 0);
    if (found.length !== 1 || found[0] === undefined) throw new Error(`expected one stack with a ${type}`);
    return found[0];
  };
  const stream = holding('AWS::Kinesis::Stream');
  const collector = holding('AWS::Lambda::Function');
  const functionId = onlyLogicalId(collector.template, 'AWS::Lambda::Function', COLLECTOR_FUNCTION_PATTERN);
  const assetPath = collector.template.toJSON().Resources[functionId].Metadata?.['aws:asset:path'];
  if (typeof assetPath !== 'string') throw new Error('the collector function has no aws:asset:path metadata');
  return {
    streamStack: { stackName: stream.stackName },
    collectorStack: { stackName: collector.stackName },
    streamTemplate: stream.template,
    collectorTemplate: collector.template,
    assetDir: join(outdir, assetPath),
  };
}

/**
 * Synthesizes the CDK app's same-account topology (stream stack and collector stack) and stands up
 * what the collector function talks to in AWS: Kinesis (kinesalite behind an HTTP/2 front), STS
 * (deciding with the synthesized writer role's trust policy), Secrets Manager and SQS. The function's
 * environment comes from the synthesized template, never written by hand.
 */
export async function startDeployedEnvironment(
  options: DeployedEnvironmentOptions,
): Promise<DeployedEnvironment> {
  const { streamStack, collectorStack, streamTemplate, collectorTemplate, assetDir } =
    await synthesize(options);
  const run = `${process.pid}-${++counter}`;

  const kinesisServer = await startTestKinesis();
  const kinesis: KinesisClient = emulatorClient(kinesisServer.endpoint, REGION);
  const kinesisFront = await startH2cProxy(kinesisServer.endpoint);
  const sqs = await startTestSqs();
  const secretsManager = await startTestSecretsManager();

  // The stream stack holds the event stream (construct id Events) and the failed-events stream (FailedEvents).
  const streamIds = Object.keys(streamTemplate.findResources('AWS::Kinesis::Stream'));
  const streamId = streamIds.find((id) => id.startsWith('Events'));
  const failedStreamId = streamIds.find((id) => id.startsWith('FailedEvents'));
  if (streamId === undefined) throw new Error(`no event stream among ${streamIds.join(', ')}`);
  const roleId = onlyLogicalId(streamTemplate, 'AWS::IAM::Role');
  const streamName = `${streamStack.stackName}-${streamId}-${run}`;
  const failedStreamName =
    failedStreamId === undefined ? undefined : `${streamStack.stackName}-${failedStreamId}-${run}`;
  const roleArn = `arn:aws:iam::${LOCAL_ACCOUNT_ID}:role/${streamStack.stackName}-${roleId}`;
  const streamValues = deployedValues(streamStack.stackName, streamTemplate, {
    refs: {
      [streamId]: streamName,
      ...(failedStreamId === undefined || failedStreamName === undefined
        ? {}
        : { [failedStreamId]: failedStreamName }),
    },
    attributes: { [`${roleId}.Arn`]: roleArn },
  });
  const roleProperties = streamTemplate.toJSON().Resources[roleId].Properties as {
    AssumeRolePolicyDocument: unknown;
    MaxSessionDuration?: number;
  };
  const role: SynthesizedWriterRole = {
    roleArn,
    accountId: LOCAL_ACCOUNT_ID,
    trustPolicy: resolveIntrinsics(roleProperties.AssumeRolePolicyDocument, streamValues) as PolicyDocument,
    maxSessionSeconds: roleProperties.MaxSessionDuration ?? 3600,
  };
  // The function's execution role, as a deploy names it (path from the template, generated name):
  // the principal the writer role's trust policy sees when the function calls AssumeRole.
  const functionRoleId = Object.keys(collectorTemplate.findResources('AWS::IAM::Role')).find((id) =>
    id.startsWith('CollectorRole'),
  );
  if (functionRoleId === undefined) throw new Error('the collector stack has no CollectorRole');
  const functionRolePath = String(
    collectorTemplate.toJSON().Resources[functionRoleId].Properties?.Path ?? '/',
  );
  const functionRoleArn = `arn:aws:iam::${LOCAL_ACCOUNT_ID}:role${functionRolePath}${collectorStack.stackName}-${functionRoleId}`;
  const sts = await startLocalSts({ role, principalOf: () => functionRoleArn });

  const secretId = onlyLogicalId(collectorTemplate, 'AWS::SecretsManager::Secret');
  const writeKeysSecretArn = `arn:aws:secretsmanager:${REGION}:${LOCAL_ACCOUNT_ID}:secret:${collectorStack.stackName}-${secretId}-AbCdEf`;
  const queueIds = Object.keys(collectorTemplate.findResources('AWS::SQS::Queue'));
  const spillQueueId = queueIds.find((id) => id.startsWith('SpillQueue'));
  if (spillQueueId === undefined) throw new Error(`no spill queue among ${queueIds.join(', ')}`);
  const spillQueueName = `${collectorStack.stackName}-${spillQueueId}-${run}`;
  const streamOutputs = resolvedOutputs(streamTemplate, streamValues);
  /** A collector template's function environment, resolved as a deploy into this environment would. */
  const environmentOf = (template: Template, refs: Record<string, string> = {}) => {
    const values = deployedValues(
      collectorStack.stackName,
      template,
      {
        refs: {
          [secretId]: writeKeysSecretArn,
          // A queue URL's origin is the SQS endpoint, as in AWS (the SDK sends to the queue URL's host).
          [spillQueueId]: sqs.queueUrl(spillQueueName),
          ...refs,
        },
      },
      streamOutputs,
    );
    const synthesized = synthesizedFunction(template);
    return {
      ...lambdaRuntimeEnvironment(synthesized),
      ...(resolveIntrinsics(synthesized.environment, values) as Record<string, string>),
      AWS_ENDPOINT_URL_KINESIS: kinesisFront.url,
      AWS_ENDPOINT_URL_STS: sts.endpoint,
      AWS_ENDPOINT_URL_SECRETS_MANAGER: secretsManager.endpoint,
      AWS_ENDPOINT_URL_SQS: sqs.endpoint,
    };
  };

  const fn = synthesizedFunction(collectorTemplate);
  const env: Record<string, string> = environmentOf(collectorTemplate);
  const collectorConfig = JSON.parse(env.COLLECTOR_CONFIG ?? '{}');
  await ensureStream(kinesis, streamName, 2);
  if (failedStreamName !== undefined) await ensureStream(kinesis, failedStreamName, 1);

  return {
    env,
    fn,
    collectorConfig,
    streamName,
    kinesisFront,
    sts,
    role,
    sqs,
    spillQueueName,
    secretsManager,
    writeKeysSecretArn,
    putWriteKeys: (keys) => {
      const [source] = (collectorConfig as DeployedEnvironment['collectorConfig']).sources;
      if (source === undefined) throw new Error('the synthesized COLLECTOR_CONFIG names no source');
      secretsManager.put(writeKeysSecretArn, JSON.stringify({ [source.id]: keys }));
    },
    ...(assetDir === undefined ? {} : { assetDir }),
    environmentOf,
    ...(failedStreamName === undefined ? {} : { failedStreamName }),
    failedRecords: async () =>
      failedStreamName === undefined ? [] : readAllRecords(kinesis, failedStreamName),
    records: () => readAllRecords(kinesis, streamName),
    rawRecords: () => readRawRecords(kinesis, streamName),
    stop: async () => {
      await kinesisFront.stop();
      await sts.stop();
      await sqs.stop();
      await secretsManager.stop();
      kinesis.destroy();
      await kinesisServer.stop();
    },
  };
}
