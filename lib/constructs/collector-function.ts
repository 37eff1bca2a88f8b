import * as path from 'node:path';
import { Duration, type SecretValue, Stack, Validations } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { RuntimeConfigInput } from '../../lambda/config/runtime-config';
import { SERVICE_NAME } from '../../lambda/contract/collector-metrics';
import { GEO_DATABASE_FILE, GEO_DATABASE_PACKAGE_PATH } from '../../lambda/contract/geo-database';
import { LAZY_MODULE_NAMES, LAZY_MODULE_SOURCE_DIR } from '../../lambda/contract/lazy-modules';
import { ORIGIN_SECRET_ENV } from '../../lambda/contract/same-origin';
import { COLLECTOR_FUNCTION_DEFAULTS } from '../config/construct-defaults';
import type { DeployDestination, DeploySource } from '../config/deploy-config';
import { LambdaEnvironmentSizeValidation } from '../lambda-environment-size';
import { prebuiltBundleDir, prebuiltCode } from '../prebuilt-bundle';
import { DEDUP_TABLE_ACTIONS } from './dedup-table';
import { esbuildLauncher, shellWord } from './esbuild-shell';
import { SUPPRESSION_TABLE_ACTIONS } from './suppression-table';

/**
 * A configuration document the function runs instead of one source built from props: shipped in
 * its code asset as {@link DOCUMENT_FILE}, read once at cold start.
 */
export interface CollectorFunctionDocument {
  /** The document as written, without write keys or credentials (docs/configuration.md). */
  readonly document: RuntimeConfigInput;
  /**
   * Ids of the document's destinations whose stream name, failed-events stream, region, role and
   * external ID are the values of `destinations` with the same id (values only CloudFormation
   * knows): they travel in env `COLLECTOR_DESTINATIONS` and replace the document's at cold start.
   * @default - none: the document names every stream and role itself
   */
  readonly boundDestinationIds?: readonly string[];
}

export interface CollectorFunctionProps {
  /**
   * The sources whose events the function takes, each with its destinations; give these or
   * `document`, not both.
   * @default - none: `document` holds the sources
   */
  readonly sources?: readonly DeploySource[];
  /**
   * A configuration document with the sources, destinations, pipelines and CORS the function runs;
   * give this or `sources`, not both.
   * @default - none: one configuration built from `sources`, `destinations` and the CORS props
   */
  readonly document?: CollectorFunctionDocument;
  /**
   * Where events go, and how the function gets permission to write there: the function may
   * `sts:AssumeRole` each one's role and no other. With `document`, every destination it names, resolved.
   */
  readonly destinations: readonly DeployDestination[];
  /** Holds the sources' write keys: `{ "<sourceId>": "<key>" | ["<key>", ...] }`. */
  readonly writeKeysSecret: secretsmanager.ISecret;
  /**
   * The deployment's hash key (FieldHashKeySecret), one for keyed `redact.hash` rules and suppressed
   * ids: read (GetSecretValue) once per container, env `FIELD_HASH_KEY_SECRET_ARN`.
   * @default none: events a keyed hash rule applies to are refused, and suppression sources answer 503
   */
  readonly fieldHashKeySecret?: secretsmanager.ISecret;
  /**
   * Where events the stream still refuses after the retry budget are spilled (env
   * `SPILL_QUEUE_URL`); the function may only `sqs:SendMessage` to it.
   * @default - no spill queue: such events are answered 429/503 and the SDK sends them again
   */
  readonly spillQueue?: sqs.IQueue;
  /**
   * The same-origin path's origin secret (env `SAME_ORIGIN_SECRET`, resolved at deploy): a request
   * that carries it in `x-collector-origin-secret` came through the site's distribution, and its
   * client address is then `CloudFront-Viewer-Address` (lib/constructs/same-origin-path.ts).
   * @default - none: the client address is always the one API Gateway saw
   */
  readonly originSecret?: SecretValue;
  /**
   * Origins allowed to call the collector from a browser.
   * @default - `COLLECTOR_FUNCTION_DEFAULTS.allowedOrigins` (any origin)
   */
  readonly allowedOrigins?: readonly string[];
  /**
   * How long browsers may cache a preflight answer (the Lambda answers preflights in local mode).
   * @default - `COLLECTOR_FUNCTION_DEFAULTS.corsMaxAgeSeconds`
   */
  readonly corsMaxAge?: Duration;
  /**
   * The function's memory in MB (CPU grows with it).
   * @default - `COLLECTOR_FUNCTION_DEFAULTS.memorySizeMb`
   */
  readonly memorySize?: number;
  /**
   * The function's timeout; the delivery budget inside it is 6 s at most.
   * @default - `COLLECTOR_FUNCTION_DEFAULTS.timeoutSeconds`
   */
  readonly timeout?: Duration;
  /**
   * Active X-Ray tracing.
   * @default - `COLLECTOR_FUNCTION_DEFAULTS.tracing` (off)
   */
  readonly tracing?: boolean;
  /**
   * The Powertools log level (`POWERTOOLS_LOG_LEVEL`). Logs never hold payloads or secrets.
   * @default - `COLLECTOR_FUNCTION_DEFAULTS.logLevel`
   */
  readonly logLevel?: 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';
  /**
   * Retention of the function's log group.
   * @default - `COLLECTOR_FUNCTION_DEFAULTS.logRetentionDays`
   */
  readonly logRetention?: logs.RetentionDays;
  /**
   * IAM path of the function's role (its name is generated). The writer role trusts roles by this
   * path (lib/collector-role-path.ts), so the stacks need no reference to each other's roles.
   * @default - `/` (IAM's root path)
   */
  readonly rolePath?: string;
  /**
   * Executions reserved for the function, which are also its ceiling: a flood of requests then
   * throttles this function (API Gateway answers 5xx, which the SDKs retry) instead of taking the
   * account's whole concurrency from every other function. A reservation must leave the account its
   * minimum of unreserved concurrency (100 with the default quota of 1,000), so new accounts whose
   * quota is 10 cannot deploy with any.
   * @default - none: the function shares the account's unreserved concurrency
   */
  readonly reservedConcurrency?: number;
  /**
   * The dedup table of sources with `dedup` (env `DEDUP_TABLE_NAME`); the function may only read and
   * write its items ({@link DEDUP_TABLE_ACTIONS}).
   * @default - none: no source deduplicates
   */
  readonly dedupTable?: dynamodb.ITable;
  /**
   * The suppression list of sources with `suppression` (env `SUPPRESSION_TABLE_NAME`); the function
   * may only read it ({@link SUPPRESSION_TABLE_ACTIONS}). Its ids are hashed with `fieldHashKeySecret`.
   * @default - none: no source suppresses
   */
  readonly suppressionTable?: dynamodb.ITable;
}

/** The Lambda entry point: `lambda/index.ts`, export `handler`. */
export const COLLECTOR_ENTRY = path.join(__dirname, '..', '..', 'lambda', 'index.ts');

/** The configuration document's file in the code asset, next to `index.js` (env `COLLECTOR_CONFIG_FILE`). */
export const DOCUMENT_FILE = 'collector-config.json';

/** The function's runtime; esbuild's `--target` follows it. */
const RUNTIME = lambda.Runtime.NODEJS_24_X;

/**
 * esbuild settings of `index.js` and of the lazy modules next to it (one list, so both are built
 * alike). Why each is set:
 * - `minify`: 464 KB instead of ~1 MB of `index.js`; Node parses less at every cold start.
 * - `keepNames` off: it would add ~30 KB (6%) to `index.js` to keep every class and function name;
 *   the names logs show are kept where they matter instead: each error class sets its own `name`
 *   (`override readonly name = '...'`, test/lambda/error-names.test.ts).
 * - `mainFields: module, main`: the ES module builds of the AWS SDK and Smithy packages, which
 *   esbuild can tree-shake (unused commands, models and schemas), their CommonJS builds (`main`)
 *   not: 1.0 MB -> 0.67 MB of `index.js` when it was measured.
 * - `sourceMap` on, without `sourcesContent`, and no `--enable-source-maps` at run time: the maps
 *   (mappings only, 0.8 MB for `index.js` instead of 2.4 MB) ship in the asset, so a stack trace
 *   from the logs (`index.js:52:42288`) can be turned back into `lambda/...ts:line` offline
 *   (`npm run decode-stack`, docs/architecture.md). Node 24 reads a map only when it first formats
 *   a stack trace, and that first time cost the function ~0.5 s (whole machine; ~7x that at 256 MB's
 *   CPU share) and ~30 MB of RSS, typically in the middle of an outage, when errors are logged: too
 *   much for a 256 MB function, whose logs already name each error (`name`) and its message.
 * - `supported: dynamic-import=false`: the SDK's HTTP handler loads `node:http` / `node:https` with
 *   `import()`; kept as `import()` in a CommonJS bundle, Node builds an ES module facade of the built-in,
 *   which reads every export, and one of them lazily loads Node's bundled undici: ~30 ms of the first
 *   invocation. As `require()` (what esbuild writes instead) it costs nothing extra.
 * - `alias: @aws-sdk/credential-provider-node`: lambda/cold-start/env-credentials.ts, the environment only
 *   (where Lambda puts the function's credentials) instead of the SDK's whole default chain: ~100 KB less
 *   of `index.js` to compile at every cold start.
 */
export const ESBUILD_SETTINGS = {
  minify: true,
  sourceMap: true,
  sourcesContent: false,
  keepNames: false,
  mainFields: ['module', 'main'],
  supported: { 'dynamic-import': false },
  alias: { '@aws-sdk/credential-provider-node': 'lambda/cold-start/env-credentials.ts' },
} as const;

/**
 * The function's exec wrapper, copied next to `index.js` and named by `AWS_LAMBDA_EXEC_WRAPPER`: it
 * starts the runtime without `--expose-gc`, so Node uses the code cache it embeds for its built-in
 * modules (why in the script).
 */
const EXEC_WRAPPER = { source: 'lambda/cold-start/exec-wrapper.sh', file: 'exec-wrapper.sh' } as const;

/**
 * esbuild's flags for {@link ESBUILD_SETTINGS}' `supported` and `alias`, alias paths under `projectRoot`
 * (`.`: esbuild's working directory, which is the project root where NodejsFunction runs it).
 */
function esbuildFlags(projectRoot: string): Record<string, string> {
  return {
    ...Object.fromEntries(
      Object.entries(ESBUILD_SETTINGS.supported).map(([feature, on]) => [
        `--supported:${feature}`,
        String(on),
      ]),
    ),
    ...Object.fromEntries(
      Object.entries(ESBUILD_SETTINGS.alias).map(([module, file]) => [
        `--alias:${module}`,
        projectRoot === '.' ? `./${file}` : path.posix.join(projectRoot, file),
      ]),
    ),
  };
}

/** The stream fields of a destination as the runtime document names them (no `id`). */
function streamFields(destination: DeployDestination): Record<string, string> {
  return {
    streamName: destination.streamName,
    ...(destination.failedStreamName === undefined ? {} : { failedStreamName: destination.failedStreamName }),
    region: destination.region,
    roleArn: destination.roleArn,
    externalId: destination.externalId,
  };
}

/**
 * The deploy-time values of a document's bound destinations, by id, as env `COLLECTOR_DESTINATIONS`
 * carries them; each id must be a destination of both the document and `destinations`.
 */
function boundDestinations(props: CollectorFunctionProps): [string, Record<string, string>][] {
  const ids = props.document?.boundDestinationIds ?? [];
  const inDocument = new Set(
    (props.document?.document.destinations ?? []).map((destination) => destination.id),
  );
  return ids.map((id) => {
    const destination = props.destinations.find((candidate) => candidate.id === id);
    if (!inDocument.has(id) || destination === undefined) {
      throw new Error(
        `CollectorFunction: bound destination "${id}" must be a destination of the document and of destinations`,
      );
    }
    return [id, streamFields(destination)];
  });
}

/**
 * The shell command NodejsFunction runs after bundling `index.js` (its `afterBundling` hook, local
 * or in Docker): esbuild bundles each lazy module (lambda/contract/lazy-modules.ts) into
 * `<name>.js` next to `index.js`, with the same settings, where `loadLazyModule` requires it from.
 * Each is self-contained (CommonJS output cannot share chunks): the AWS SDK core is in
 * `ssm-parameter-reader.js` again, which costs asset bytes, not
 * cold-start time, since a container only loads them when it needs them.
 */
export function lazyModulesBundlingCommand(inputDir: string, outputDir: string): string {
  return esbuildCommand(
    inputDir,
    LAZY_MODULE_NAMES.map((name) => path.posix.join(inputDir, LAZY_MODULE_SOURCE_DIR, `${name}.ts`)),
    `--outdir=${shellWord(outputDir)}`,
  );
}

/** esbuild with {@link ESBUILD_SETTINGS} for the function's runtime, entries under `inputDir`. */
function esbuildCommand(inputDir: string, entries: readonly string[], output: string): string {
  const target = RUNTIME.name.replace(/^nodejs(\d+).*$/, 'node$1');
  return [
    esbuildLauncher(inputDir),
    '--bundle',
    ...entries.map(shellWord),
    output,
    '--platform=node',
    `--target=${target}`,
    ...(ESBUILD_SETTINGS.minify ? ['--minify'] : []),
    ...(ESBUILD_SETTINGS.sourceMap ? ['--sourcemap'] : []),
    ...(ESBUILD_SETTINGS.sourcesContent ? [] : ['--sources-content=false']),
    ...(ESBUILD_SETTINGS.keepNames ? ['--keep-names'] : []),
    `--main-fields=${ESBUILD_SETTINGS.mainFields.join(',')}`,
    ...Object.entries(esbuildFlags(inputDir)).map(([flag, value]) => shellWord(`${flag}=${value}`)),
    '--log-level=warning',
  ].join(' ');
}

/**
 * The shell commands that build the package's prebuilt code asset into `outputDir` as NodejsFunction
 * does with its own esbuild step and the `afterBundling` hook: `index.js` ({@link COLLECTOR_ENTRY},
 * the same settings), the lazy modules and the exec wrapper. The country database is not in it: the
 * package depends on its npm package, and the construct copies it in at synth
 * ({@link installedGeoDatabase}), so the tarball does not carry (and `npm pack` does not compress)
 * 8 MB of it. The package's `prepack` runs them (tools/package/build-lambda-bundles.ts), from the
 * project root (`inputDir` `.`).
 */
export function collectorBundleCommands(inputDir: string, outputDir: string): string[] {
  const entry = path.posix.join(inputDir, path.relative(path.join(__dirname, '..', '..'), COLLECTOR_ENTRY));
  return [
    esbuildCommand(inputDir, [entry], `--outfile=${shellWord(path.posix.join(outputDir, 'index.js'))}`),
    lazyModulesBundlingCommand(inputDir, outputDir),
    execWrapperCommand(inputDir, outputDir),
  ];
}

/**
 * Where the country database (`@ip-location-db/geo-whois-asn-country-mmdb`, a dependency of the
 * package) is installed, for the prebuilt asset of an app that installed the package; throws, naming
 * the package and the fix, when it is not.
 */
export function installedGeoDatabase(): string {
  try {
    return require.resolve(GEO_DATABASE_PACKAGE_PATH);
  } catch (error) {
    throw new Error(
      `CollectorFunction: the country database ${GEO_DATABASE_PACKAGE_PATH} is not installed; it is a dependency of kinesis-event-forwarder: install the package's dependencies (npm install)`,
      { cause: error },
    );
  }
}

/**
 * The shell command that copies the bundled country database (lambda/contract/geo-database.ts) next
 * to `index.js`, for sources with `pipeline.enrich.geo`. Every asset has it (~8 MB, ~3 MB zipped):
 * a configuration read at run time (SSM) may turn geo on without a new asset. A container reads it
 * only when a source needs it.
 */
export function geoDatabaseCommand(inputDir: string, outputDir: string): string {
  const source = path.posix.join(inputDir, 'node_modules', GEO_DATABASE_PACKAGE_PATH);
  return `cp ${shellWord(source)} ${shellWord(path.posix.join(outputDir, GEO_DATABASE_FILE))}`;
}

/** The shell command that copies {@link EXEC_WRAPPER} next to `index.js`, executable (the zip keeps the mode). */
export function execWrapperCommand(inputDir: string, outputDir: string): string {
  const target = shellWord(path.posix.join(outputDir, EXEC_WRAPPER.file));
  return `cp ${shellWord(path.posix.join(inputDir, EXEC_WRAPPER.source))} ${target} && chmod 755 ${target}`;
}

/**
 * The shell command that writes a configuration document next to `index.js`: compact JSON, keys in
 * the document's order, so the same document gives the same asset (and asset hash).
 */
export function documentFileCommand(document: RuntimeConfigInput, outputDir: string): string {
  return `printf '%s' ${shellWord(JSON.stringify(document))} > ${shellWord(path.posix.join(outputDir, DOCUMENT_FILE))}`;
}

/**
 * The collector Lambda (Node.js 24 on arm64, bundled locally by esbuild with the AWS SDK included, so
 * the deployed code runs the SDK versions the tests ran) and its role, which may only assume the
 * writer role(s), read the write-keys secret, and write its own log group.
 *
 * Runtime contract: env `COLLECTOR_CONFIG` (JSON, lambda/config/runtime-config.ts, no secrets), or
 * with `document` env `COLLECTOR_CONFIG_FILE` (the document in the asset) and `COLLECTOR_DESTINATIONS`
 * (the bound destinations' deploy-time values); `WRITE_KEYS_SECRET_ARN`; and `SPILL_QUEUE_URL` when
 * a spill queue is given.
 */
export class CollectorFunction extends Construct {
  /** A `NodejsFunction` bundled from source in this repository, a prebuilt bundle's `Function` in the package. */
  readonly function: lambda.Function;
  readonly role: iam.Role;
  readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: CollectorFunctionProps) {
    super(scope, id);
    if (props.destinations.length === 0) throw new Error('CollectorFunction: give at least one destination');
    const { document } = props;
    if ((props.sources === undefined) === (document === undefined)) {
      throw new Error('CollectorFunction: give sources or a document, one of the two');
    }
    if (props.sources?.length === 0) throw new Error('CollectorFunction: give at least one source');
    if (props.suppressionTable !== undefined && props.fieldHashKeySecret === undefined) {
      throw new Error(
        "CollectorFunction: suppressionTable needs fieldHashKeySecret (suppressed ids are hashed with the deployment's hash key); give both",
      );
    }
    const bound = boundDestinations(props);
    const stack = Stack.of(this);

    this.logGroup = new logs.LogGroup(this, 'Logs', {
      retention: props.logRetention ?? (COLLECTOR_FUNCTION_DEFAULTS.logRetentionDays as logs.RetentionDays),
    });
    this.role = new iam.Role(this, 'Role', {
      description:
        'Event collector Lambda: assumes the stream writer role, reads its write keys, spills to its queue, writes its logs',
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      ...(props.rolePath === undefined ? {} : { path: props.rolePath }),
      inlinePolicies: {
        Collector: new iam.PolicyDocument({
          statements: [
            new iam.PolicyStatement({
              sid: 'AssumeTheStreamWriterRole',
              actions: ['sts:AssumeRole'],
              resources: [...new Set(props.destinations.map((destination) => destination.roleArn))],
            }),
            new iam.PolicyStatement({
              sid: 'ReadWriteKeys',
              actions: ['secretsmanager:GetSecretValue'],
              resources: [props.writeKeysSecret.secretArn],
            }),
            ...(props.fieldHashKeySecret === undefined
              ? []
              : [
                  new iam.PolicyStatement({
                    sid: 'ReadHashKey',
                    actions: ['secretsmanager:GetSecretValue'],
                    resources: [props.fieldHashKeySecret.secretArn],
                  }),
                ]),
            ...(props.spillQueue === undefined
              ? []
              : [
                  new iam.PolicyStatement({
                    sid: 'SpillUndeliveredEvents',
                    actions: ['sqs:SendMessage'],
                    resources: [props.spillQueue.queueArn],
                  }),
                ]),
            ...(props.spillQueue?.encryptionMasterKey === undefined
              ? []
              : [
                  // SendMessage to a queue with a customer-managed key takes both (SQS's own rule),
                  // and only through SQS: a direct call to KMS with the role is refused.
                  new iam.PolicyStatement({
                    sid: 'EncryptSpilledEvents',
                    actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
                    resources: [props.spillQueue.encryptionMasterKey.keyArn],
                    conditions: {
                      StringEquals: { 'kms:ViaService': `sqs.${stack.region}.${stack.urlSuffix}` },
                    },
                  }),
                ]),
            ...(props.dedupTable === undefined
              ? []
              : [
                  new iam.PolicyStatement({
                    sid: 'ReadAndMarkSeenEvents',
                    actions: [...DEDUP_TABLE_ACTIONS],
                    resources: [props.dedupTable.tableArn],
                  }),
                ]),
            ...(props.suppressionTable === undefined
              ? []
              : [
                  new iam.PolicyStatement({
                    sid: 'ReadSuppressions',
                    actions: [...SUPPRESSION_TABLE_ACTIONS],
                    resources: [props.suppressionTable.tableArn],
                  }),
                ]),
            new iam.PolicyStatement({
              sid: 'WriteOwnLogs',
              actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
              resources: [this.logGroup.logGroupArn],
            }),
          ],
        }),
      },
    });

    const runtimeConfig = {
      sources: (props.sources ?? []).map((source) => ({
        id: source.id,
        destinations: [...source.destinationIds],
        partitionKey: source.partitionKey ?? COLLECTOR_FUNCTION_DEFAULTS.partitionKey,
      })),
      destinations: props.destinations.map((destination) => ({
        id: destination.id,
        ...streamFields(destination),
      })),
      cors: {
        allowedOrigins: [...(props.allowedOrigins ?? COLLECTOR_FUNCTION_DEFAULTS.allowedOrigins)],
        maxAgeSeconds: (
          props.corsMaxAge ?? Duration.seconds(COLLECTOR_FUNCTION_DEFAULTS.corsMaxAgeSeconds)
        ).toSeconds(),
      },
    };

    const functionProps = {
      description: 'Segment-compatible event collector: validates events and puts them into Kinesis',
      runtime: RUNTIME,
      architecture: lambda.Architecture.ARM_64,
      memorySize: props.memorySize ?? COLLECTOR_FUNCTION_DEFAULTS.memorySizeMb,
      timeout: props.timeout ?? Duration.seconds(COLLECTOR_FUNCTION_DEFAULTS.timeoutSeconds),
      ...(props.reservedConcurrency === undefined
        ? {}
        : { reservedConcurrentExecutions: props.reservedConcurrency }),
      role: this.role,
      logGroup: this.logGroup,
      tracing:
        (props.tracing ?? COLLECTOR_FUNCTION_DEFAULTS.tracing)
          ? lambda.Tracing.ACTIVE
          : lambda.Tracing.DISABLED,
      environment: {
        ...(document === undefined
          ? { COLLECTOR_CONFIG: stack.toJsonString(runtimeConfig) }
          : {
              COLLECTOR_CONFIG_FILE: DOCUMENT_FILE,
              ...(bound.length === 0
                ? {}
                : { COLLECTOR_DESTINATIONS: stack.toJsonString(Object.fromEntries(bound)) }),
            }),
        WRITE_KEYS_SECRET_ARN: props.writeKeysSecret.secretArn,
        ...(props.fieldHashKeySecret === undefined
          ? {}
          : { FIELD_HASH_KEY_SECRET_ARN: props.fieldHashKeySecret.secretArn }),
        ...(props.spillQueue === undefined ? {} : { SPILL_QUEUE_URL: props.spillQueue.queueUrl }),
        ...(props.dedupTable === undefined ? {} : { DEDUP_TABLE_NAME: props.dedupTable.tableName }),
        ...(props.suppressionTable === undefined
          ? {}
          : { SUPPRESSION_TABLE_NAME: props.suppressionTable.tableName }),
        ...(props.originSecret === undefined
          ? {}
          : { [ORIGIN_SECRET_ENV]: props.originSecret.unsafeUnwrap() }),
        POWERTOOLS_SERVICE_NAME: SERVICE_NAME,
        POWERTOOLS_LOG_LEVEL: props.logLevel ?? COLLECTOR_FUNCTION_DEFAULTS.logLevel,
        // No NODE_OPTIONS=--enable-source-maps: see ESBUILD_SETTINGS (the maps are decoded offline).
        AWS_LAMBDA_EXEC_WRAPPER: `/var/task/${EXEC_WRAPPER.file}`,
      },
    } satisfies Partial<lambda.FunctionProps>;
    // The package's prebuilt bundle when there is one (an app that installed the package), else
    // esbuild from the sources, as NodejsFunction always did here.
    const prebuilt = prebuiltBundleDir('collector');
    this.function =
      prebuilt === undefined
        ? new nodejs.NodejsFunction(this, 'Function', {
            ...functionProps,
            entry: COLLECTOR_ENTRY,
            handler: 'handler',
            bundling: {
              minify: ESBUILD_SETTINGS.minify,
              sourceMap: ESBUILD_SETTINGS.sourceMap,
              sourcesContent: ESBUILD_SETTINGS.sourcesContent,
              keepNames: ESBUILD_SETTINGS.keepNames,
              mainFields: [...ESBUILD_SETTINGS.mainFields],
              esbuildArgs: esbuildFlags('.'),
              commandHooks: {
                beforeBundling: () => [],
                beforeInstall: () => [],
                afterBundling: (inputDir, outputDir) => [
                  lazyModulesBundlingCommand(inputDir, outputDir),
                  execWrapperCommand(inputDir, outputDir),
                  geoDatabaseCommand(inputDir, outputDir),
                  ...(document === undefined ? [] : [documentFileCommand(document.document, outputDir)]),
                ],
              },
              // Bundle the AWS SDK (~500 KB instead of ~4 KB): the function then runs exactly the SDK
              // versions package-lock.json pins and the tests exercised, not whatever the runtime ships.
              externalModules: [],
              forceDockerBundling: false,
            },
          })
        : new lambda.Function(this, 'Function', {
            ...functionProps,
            handler: 'index.handler',
            code: prebuiltCode(prebuilt, {
              executables: [EXEC_WRAPPER.file],
              copies: { [GEO_DATABASE_FILE]: installedGeoDatabase() },
              ...(document === undefined
                ? {}
                : { files: { [DOCUMENT_FILE]: JSON.stringify(document.document) } }),
            }),
          });
    this.function.node.addValidation(
      new LambdaEnvironmentSizeValidation(
        this.function,
        document === undefined
          ? `COLLECTOR_CONFIG holds every allowed origin (${runtimeConfig.cors.allowedOrigins.length} here): list fewer in allowedOrigins (each origin once, without paths), or use https://* to allow every HTTPS site`
          : 'the configuration document travels in the code asset, so only COLLECTOR_DESTINATIONS (the bound destination) varies: bind fewer destinations',
      ),
    );

    if (props.tracing) {
      Validations.of(this.role).acknowledge({
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason:
          'X-Ray tracing (opt-in, -c tracing=true): xray:PutTraceSegments and xray:PutTelemetryRecords support no resource-level permissions, so AWS requires Resource "*".',
      });
    }
  }
}
