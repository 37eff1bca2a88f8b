import * as path from 'node:path';
import { CustomResource, Duration, RemovalPolicy, Token, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { GENERATED_WRITE_KEY_ENTRY, WRITE_KEY_LENGTH } from '../../lambda/contract/write-keys-secret';
import { ID_PATTERN } from '../config/context-patterns';
import { prebuiltBundleDir, prebuiltCode } from '../prebuilt-bundle';
import { esbuildLauncher, shellWord } from './esbuild-shell';

export interface WriteKeysSecretProps {
  /**
   * Every source the collector takes. Each one without an entry in the secret gets a generated key
   * at deploy time (on create and on every update that adds a source); an entry that is there is
   * never overwritten.
   */
  readonly sourceIds: readonly string[];
  /**
   * What happens to the secret when the stack is deleted or stops defining it (context key
   * `retainWriteKeys`). Deleting it ends every SDK's key: every site and app then gets 401.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

/** The provisioner's Lambda entry point (`handler`). */
export const WRITE_KEYS_PROVISIONER_ENTRY = path.join(
  __dirname,
  '..',
  '..',
  'lambda',
  'provisioning',
  'index.ts',
);

/**
 * How the provisioner is bundled (esbuild, locally): minified, with the AWS SDK the Node.js runtime
 * ships left out, since two Secrets Manager calls need no pinned copy; the bundle is a few KB
 * (test/deployed/write-keys-provisioner-bundle.test.ts runs it).
 */
export const PROVISIONER_BUNDLING = { minify: true, externalModules: ['@aws-sdk/*'] } as const;

/**
 * The shell command that builds the provisioner's code asset into `outputDir` as NodejsFunction
 * does ({@link PROVISIONER_BUNDLING}); the package's `prepack` runs it from the project root.
 */
export function provisionerBundleCommand(inputDir: string, outputDir: string): string {
  const entry = path.posix.join(
    inputDir,
    path.relative(path.join(__dirname, '..', '..'), WRITE_KEYS_PROVISIONER_ENTRY),
  );
  return [
    esbuildLauncher(inputDir),
    '--bundle',
    shellWord(entry),
    shellWord(`--outfile=${path.posix.join(outputDir, 'index.js')}`),
    '--platform=node',
    `--target=${lambda.Runtime.NODEJS_24_X.name.replace(/^nodejs(\d+).*$/, 'node$1')}`,
    ...(PROVISIONER_BUNDLING.minify ? ['--minify'] : []),
    ...PROVISIONER_BUNDLING.externalModules.map((module) => shellWord(`--external:${module}`)),
    '--log-level=warning',
  ].join(' ');
}

/**
 * CloudFormation generates the secret's value once, with these settings. None may ever depend on a
 * context value: CloudFormation generates a new value, overwriting every key operators rotated in,
 * whenever one of them changes (test/lib/write-keys-secret-stability.test.ts compares them across
 * configurations). They are what earlier versions used for the default source, so those secrets
 * keep their value.
 */
export const WRITE_KEYS_GENERATION = {
  secretStringTemplate: '{}',
  generateStringKey: GENERATED_WRITE_KEY_ENTRY,
  excludePunctuation: true,
  passwordLength: WRITE_KEY_LENGTH,
} as const;

/**
 * The collector's write keys, kept out of the Lambda's environment:
 * `{ "<sourceId>": "<key>" | ["<key>", ...] }`. CloudFormation creates the secret with one generated
 * entry (`default`, settings that never change); a custom resource (`Custom::WriteKeys`, a small
 * Lambda, lambda/provisioning/) then adds a generated key for each source that has no entry, on
 * create and on update, and never overwrites one, so keys rotated in by hand outlive every update.
 * Operators rotate without downtime by writing an array of keys (`["<new>", "<old>"]`). The secret is
 * retained by default. The collector reads it once per container (env `WRITE_KEYS_SECRET_ARN`).
 */
export class WriteKeysSecret extends Construct {
  readonly secret: secretsmanager.Secret;
  /** The provisioner's function: it may only read and write this secret and write its own logs. */
  readonly provisioner: lambda.Function;

  constructor(scope: Construct, id: string, props: WriteKeysSecretProps) {
    super(scope, id);
    if (props.sourceIds.length === 0) {
      throw new Error('WriteKeysSecret: give at least one source id in sourceIds');
    }
    for (const sourceId of props.sourceIds) {
      if (Token.isUnresolved(sourceId) || !ID_PATTERN.test(sourceId)) {
        throw new Error(
          `WriteKeysSecret: "${sourceId}" is not a source id; use 1-64 letters, digits, _ . - (known at synth)`,
        );
      }
    }

    this.secret = new secretsmanager.Secret(this, 'Secret', {
      description: 'Write keys of the event collector: {"<sourceId>": "<key>" | ["<key>", ...]}',
      generateSecretString: { ...WRITE_KEYS_GENERATION },
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
    });
    Validations.of(this.secret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'Write keys are client identifiers that analytics SDKs embed in web pages and apps, not credentials of an AWS service: they cannot be rotated automatically without breaking every SDK that sends them. Rotate by adding a key to the source array, updating the SDKs, then removing the old key (docs/deploying.md).',
    });

    const logGroup = new logs.LogGroup(this, 'ProvisionerLogs', {
      retention: logs.RetentionDays.ONE_YEAR,
    });
    const role = new iam.Role(this, 'ProvisionerRole', {
      description: 'Write-keys provisioner: adds a key for each new source to the write-keys secret',
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      inlinePolicies: {
        Provisioner: new iam.PolicyDocument({
          statements: [
            new iam.PolicyStatement({
              sid: 'AddMissingWriteKeys',
              actions: ['secretsmanager:GetSecretValue', 'secretsmanager:PutSecretValue'],
              resources: [this.secret.secretArn],
            }),
            new iam.PolicyStatement({
              sid: 'WriteOwnLogs',
              actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
              resources: [logGroup.logGroupArn],
            }),
          ],
        }),
      },
    });
    const functionProps = {
      description: 'Adds a generated write key for each source missing from the write-keys secret',
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: 128,
      timeout: Duration.seconds(60),
      role,
      logGroup,
    } satisfies Partial<lambda.FunctionProps>;
    // The package's prebuilt bundle when there is one, else esbuild from the sources.
    const prebuilt = prebuiltBundleDir('write-keys-provisioner');
    this.provisioner =
      prebuilt === undefined
        ? new nodejs.NodejsFunction(this, 'Provisioner', {
            ...functionProps,
            entry: WRITE_KEYS_PROVISIONER_ENTRY,
            handler: 'handler',
            bundling: {
              minify: PROVISIONER_BUNDLING.minify,
              externalModules: [...PROVISIONER_BUNDLING.externalModules],
              forceDockerBundling: false,
            },
          })
        : new lambda.Function(this, 'Provisioner', {
            ...functionProps,
            handler: 'index.handler',
            code: prebuiltCode(prebuilt),
          });
    const provisioned = new CustomResource(this, 'Provisioned', {
      serviceToken: this.provisioner.functionArn,
      resourceType: 'Custom::WriteKeys',
      properties: { SecretId: this.secret.secretArn, SourceIds: [...props.sourceIds] },
    });
    provisioned.node.addDependency(role);
  }
}
