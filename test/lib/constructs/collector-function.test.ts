import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Duration } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { COLLECTOR_FUNCTION_DEFAULTS } from '../../../lib/config/construct-defaults';
import type { DeployDestination } from '../../../lib/config/deploy-config';
import {
  CollectorFunction,
  type CollectorFunctionProps,
  DOCUMENT_FILE,
  documentFileCommand,
} from '../../../lib/constructs/collector-function';
import {
  bareStack,
  lambdaEnvironment,
  onlyResource,
  statementSids,
  statementWithSid,
} from '../support/template-assertions';

const DESTINATION: DeployDestination = {
  id: 'kinesis',
  streamName: 'events',
  region: 'eu-west-1',
  roleArn: 'arn:aws:iam::222222222222:role/event-writer',
  externalId: 'ext-one',
};

type Options = Partial<Omit<CollectorFunctionProps, 'writeKeysSecret' | 'spillQueue'>> & {
  /** Give a spill queue, encrypted with a customer-managed key when `'kms'`. */
  readonly spill?: 'sqs-managed' | 'kms';
};

/**
 * The function on a bare stack with its write-keys secret (bundling skipped: one synth, no esbuild).
 * Returns the stack too, for its annotations.
 */
function functionStack(options: Options = {}) {
  const stack = bareStack();
  const { spill, ...props } = options;
  const spillQueue =
    spill === undefined
      ? undefined
      : new sqs.Queue(stack, 'Spill', {
          ...(spill === 'kms'
            ? { encryption: sqs.QueueEncryption.KMS, encryptionMasterKey: new kms.Key(stack, 'SpillKey') }
            : {}),
        });
  const collector = new CollectorFunction(stack, 'Collector', {
    sources: [{ id: 'web', destinationIds: ['kinesis'] }],
    destinations: [DESTINATION],
    writeKeysSecret: new secretsmanager.Secret(stack, 'WriteKeys'),
    ...(spillQueue === undefined ? {} : { spillQueue }),
    ...props,
  });
  return { stack, collector };
}
const templateOf = (options?: Options): Template => Template.fromStack(functionStack(options).stack);
const functionOf = (template: Template) => onlyResource(template, 'AWS::Lambda::Function').Properties;
const runtimeConfigOf = (template: Template) =>
  JSON.parse(String(lambdaEnvironment(template).COLLECTOR_CONFIG)) as {
    sources: { partitionKey: string }[];
    destinations: unknown[];
    cors: { allowedOrigins: string[]; maxAgeSeconds: number };
  };

describe('CollectorFunction on its own', () => {
  const defaults = templateOf();

  describe('by default', () => {
    it('has COLLECTOR_FUNCTION_DEFAULTS.memorySizeMb of memory', () => {
      expect(functionOf(defaults).MemorySize).toBe(COLLECTOR_FUNCTION_DEFAULTS.memorySizeMb);
    });

    it('times out after COLLECTOR_FUNCTION_DEFAULTS.timeoutSeconds', () => {
      expect(functionOf(defaults).Timeout).toBe(COLLECTOR_FUNCTION_DEFAULTS.timeoutSeconds);
    });

    it('does not trace with X-Ray', () => {
      expect(COLLECTOR_FUNCTION_DEFAULTS.tracing).toBe(false);
      expect(functionOf(defaults).TracingConfig).toBeUndefined();
    });

    it('logs at COLLECTOR_FUNCTION_DEFAULTS.logLevel', () => {
      expect(lambdaEnvironment(defaults).POWERTOOLS_LOG_LEVEL).toBe(COLLECTOR_FUNCTION_DEFAULTS.logLevel);
    });

    it('keeps its logs for COLLECTOR_FUNCTION_DEFAULTS.logRetentionDays in its own log group', () => {
      const logGroup = onlyResource(defaults, 'AWS::Logs::LogGroup');

      expect(logGroup.Properties.RetentionInDays).toBe(COLLECTOR_FUNCTION_DEFAULTS.logRetentionDays);
      expect(functionOf(defaults).LoggingConfig).toEqual({ LogGroup: { Ref: logGroup.logicalId } });
    });

    it('partitions by COLLECTOR_FUNCTION_DEFAULTS.partitionKey', () => {
      expect(runtimeConfigOf(defaults).sources).toEqual([
        { id: 'web', destinations: ['kinesis'], partitionKey: COLLECTOR_FUNCTION_DEFAULTS.partitionKey },
      ]);
    });

    it('allows COLLECTOR_FUNCTION_DEFAULTS.allowedOrigins with COLLECTOR_FUNCTION_DEFAULTS.corsMaxAgeSeconds', () => {
      expect(runtimeConfigOf(defaults).cors).toEqual({
        allowedOrigins: [...COLLECTOR_FUNCTION_DEFAULTS.allowedOrigins],
        maxAgeSeconds: COLLECTOR_FUNCTION_DEFAULTS.corsMaxAgeSeconds,
      });
    });

    it('reserves no concurrency', () => {
      expect(functionOf(defaults).ReservedConcurrentExecutions).toBeUndefined();
    });

    it("gives its role IAM's root path", () => {
      expect(onlyResource(defaults, 'AWS::IAM::Role').Properties.Path).toBeUndefined();
    });

    it('has no spill queue: no SPILL_QUEUE_URL and no SQS or KMS statement', () => {
      expect(lambdaEnvironment(defaults)).not.toHaveProperty('SPILL_QUEUE_URL');
      expect(statementSids(defaults)).toEqual(['AssumeTheStreamWriterRole', 'ReadWriteKeys', 'WriteOwnLogs']);
    });

    it('runs lambda/index.ts on Node.js 24 on arm64 without reading source maps, the secret by ARN and no secret values', () => {
      expect(functionOf(defaults)).toMatchObject({
        Runtime: 'nodejs24.x',
        Architectures: ['arm64'],
        Handler: 'index.handler',
      });
      expect(lambdaEnvironment(defaults)).toMatchObject({
        WRITE_KEYS_SECRET_ARN: { Ref: expect.stringMatching(/^WriteKeys/) },
      });
      // The maps ship in the asset for npm run decode-stack; Node does not read them (lib/constructs/collector-function.ts).
      expect(lambdaEnvironment(defaults)).not.toHaveProperty('NODE_OPTIONS');
      // Node starts without --expose-gc, through the wrapper afterBundling copies next to index.js.
      expect(lambdaEnvironment(defaults)).toMatchObject({
        AWS_LAMBDA_EXEC_WRAPPER: '/var/task/exec-wrapper.sh',
      });
      expect(runtimeConfigOf(defaults).destinations).toEqual([DESTINATION]);
    });

    it('may assume the destination roles, read its secret and write its own logs, and nothing else', () => {
      expect(statementWithSid(defaults, 'AssumeTheStreamWriterRole')).toMatchObject({
        Action: 'sts:AssumeRole',
        Resource: DESTINATION.roleArn,
      });
      expect(statementWithSid(defaults, 'ReadWriteKeys')).toMatchObject({
        Action: 'secretsmanager:GetSecretValue',
        Resource: { Ref: expect.stringMatching(/^WriteKeys/) },
      });
      expect(statementWithSid(defaults, 'WriteOwnLogs')).toMatchObject({
        Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        Resource: { 'Fn::GetAtt': [expect.stringMatching(/^CollectorLogs/), 'Arn'] },
      });
      defaults.resourceCountIs('AWS::IAM::Policy', 0);
    });
  });

  describe('overridden', () => {
    const overridden = templateOf({
      sources: [{ id: 'web', destinationIds: ['kinesis'], partitionKey: 'event_id' }],
      memorySize: 512,
      timeout: Duration.seconds(15),
      logLevel: 'DEBUG',
      logRetention: logs.RetentionDays.ONE_WEEK,
      allowedOrigins: ['https://www.example.com'],
      corsMaxAge: Duration.minutes(10),
      reservedConcurrency: 50,
      rolePath: '/kinesis-event-forwarder/Prod/',
      spill: 'sqs-managed',
    });

    it('has the memory given', () => {
      expect(functionOf(overridden).MemorySize).toBe(512);
    });

    it('times out after the timeout given', () => {
      expect(functionOf(overridden).Timeout).toBe(15);
    });

    it('logs at the level given', () => {
      expect(lambdaEnvironment(overridden).POWERTOOLS_LOG_LEVEL).toBe('DEBUG');
    });

    it('keeps its logs for the retention given', () => {
      expect(onlyResource(overridden, 'AWS::Logs::LogGroup').Properties.RetentionInDays).toBe(7);
    });

    it("partitions by the source's partition key", () => {
      expect(runtimeConfigOf(overridden).sources[0]?.partitionKey).toBe('event_id');
    });

    it('allows the origins given with the preflight max age given', () => {
      expect(runtimeConfigOf(overridden).cors).toEqual({
        allowedOrigins: ['https://www.example.com'],
        maxAgeSeconds: 600,
      });
    });

    it('reserves the concurrency given', () => {
      expect(functionOf(overridden).ReservedConcurrentExecutions).toBe(50);
    });

    it('gives its role the IAM path given', () => {
      expect(onlyResource(overridden, 'AWS::IAM::Role').Properties.Path).toBe(
        '/kinesis-event-forwarder/Prod/',
      );
    });

    it('spills to the queue given: its URL in SPILL_QUEUE_URL and SendMessage on it only', () => {
      expect(lambdaEnvironment(overridden).SPILL_QUEUE_URL).toEqual({ Ref: expect.stringMatching(/^Spill/) });
      expect(statementWithSid(overridden, 'SpillUndeliveredEvents')).toMatchObject({
        Action: 'sqs:SendMessage',
        Resource: { 'Fn::GetAtt': [expect.stringMatching(/^Spill/), 'Arn'] },
      });
      expect(statementSids(overridden)).not.toContain('EncryptSpilledEvents');
    });

    it("may use the spill queue's customer-managed key to send, and only that key", () => {
      const template = templateOf({ spill: 'kms' });

      expect(statementWithSid(template, 'EncryptSpilledEvents')).toMatchObject({
        Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
        Resource: { 'Fn::GetAtt': [expect.stringMatching(/^SpillKey/), 'Arn'] },
      });
    });

    it('traces with X-Ray when asked, acknowledging the Resource "*" X-Ray needs', () => {
      const { stack, collector } = functionStack({ tracing: true });

      expect(functionOf(Template.fromStack(stack)).TracingConfig).toEqual({ Mode: 'Active' });
      expect(collector.role.node.metadata).toContainEqual(
        expect.objectContaining({
          type: 'aws:cdk:acknowledged-rules',
          data: { 'Annotation::AwsSolutions-IAM5[Resource::*]': expect.stringContaining('X-Ray') },
        }),
      );
      Annotations.fromStack(stack).hasNoError('*', Match.anyValue());
    });
  });

  it.each([
    ['no destination', { destinations: [] }, 'CollectorFunction: give at least one destination'],
    ['no source', { sources: [] }, 'CollectorFunction: give at least one source'],
  ])('refuses %s, saying what to give', (_, props, message) => {
    expect(() => functionStack(props)).toThrow(message);
  });
});

describe('CollectorFunction with a configuration document', () => {
  const document = {
    sources: [{ id: 'web', destinations: ['kinesis', 'partner'], allowedOrigins: ["https://it's.example"] }],
    destinations: [
      { id: 'kinesis', streamName: 'local-events', region: 'us-east-1' },
      {
        id: 'partner',
        streamName: 'partner-events',
        region: 'eu-west-1',
        roleArn: 'arn:aws:iam::333333333333:role/partner-writer',
        externalId: 'partner-ext',
      },
    ],
  };
  const partner: DeployDestination = {
    id: 'partner',
    streamName: 'partner-events',
    region: 'eu-west-1',
    roleArn: 'arn:aws:iam::333333333333:role/partner-writer',
    externalId: 'partner-ext',
  };
  const documentStack = (props: Partial<CollectorFunctionProps> = {}) => {
    const stack = bareStack();
    new CollectorFunction(stack, 'Collector', {
      document: { document, boundDestinationIds: ['kinesis'] },
      destinations: [DESTINATION, partner],
      writeKeysSecret: new secretsmanager.Secret(stack, 'WriteKeys'),
      ...props,
    });
    return Template.fromStack(stack);
  };

  it('reads the document from its asset and gets only the bound destination from COLLECTOR_DESTINATIONS', () => {
    const environment = lambdaEnvironment(documentStack());
    expect(environment.COLLECTOR_CONFIG).toBeUndefined();
    expect(environment.COLLECTOR_CONFIG_FILE).toBe(DOCUMENT_FILE);
    expect(JSON.parse(String(environment.COLLECTOR_DESTINATIONS))).toEqual({
      kinesis: {
        streamName: 'events',
        region: 'eu-west-1',
        roleArn: 'arn:aws:iam::222222222222:role/event-writer',
        externalId: 'ext-one',
      },
    });
  });

  it('may assume the role of every destination it is given', () => {
    expect(statementWithSid(documentStack(), 'AssumeTheStreamWriterRole').Resource).toEqual([
      DESTINATION.roleArn,
      partner.roleArn,
    ]);
  });

  it('writes the document next to index.js as compact JSON, quotes and all, with the bundling command', () => {
    const dir = mkdtempSync(join(tmpdir(), 'document-file-'));
    try {
      execFileSync('bash', ['-c', documentFileCommand(document, dir)]);
      expect(readFileSync(join(dir, DOCUMENT_FILE), 'utf8')).toBe(JSON.stringify(document));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it.each<[string, Partial<CollectorFunctionProps>, string]>([
    [
      'sources and a document together',
      { sources: [{ id: 'web', destinationIds: ['kinesis'] }] },
      'CollectorFunction: give sources or a document, one of the two',
    ],
    [
      'a bound destination the document does not have',
      { document: { document, boundDestinationIds: ['elsewhere'] } },
      'CollectorFunction: bound destination "elsewhere" must be a destination of the document and of destinations',
    ],
    [
      'a bound destination without its deploy-time values',
      { destinations: [partner] },
      'CollectorFunction: bound destination "kinesis" must be a destination of the document and of destinations',
    ],
  ])('refuses %s, saying what to give', (_, props, message) => {
    expect(() => documentStack(props)).toThrow(message);
  });
});
