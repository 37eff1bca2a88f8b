import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { Match } from 'aws-cdk-lib/assertions';
import type { APIGatewayProxyResultV2 } from 'aws-lambda';
import { GEO_DATABASE_FILE } from '../../lambda/contract/geo-database';
import { LAZY_MODULE_NAMES, type LazyModuleName } from '../../lambda/contract/lazy-modules';
import { type ApiGatewayServer, startApiGatewayServer } from '../../local/api-gateway-server';
import {
  type LambdaProcess,
  node24Binary,
  runtimeInterfaceClientEntry,
  runtimeNodeFlags,
  startLambdaProcess,
} from '../../tools/lambda-runtime/lambda-process';
import {
  COLLECTOR_FUNCTION_PATTERN,
  onlyLogicalId,
  WRITE_KEYS_SECRET_PATTERN,
} from '../lib/support/template-assertions';
import { buildTestApp, templateOf } from '../lib/support/test-app';
import { SHARED_CLI_EXTERNAL_ID } from '../support/cli-synth';
import { sendBatch, trackBatch } from '../support/collector-requests';
import { threeSourceDocument, writeDocument } from '../support/config-document';
import { type DeployedEnvironment, startDeployedEnvironment } from '../support/deployed-environment';
import { refusePutRecords } from '../support/h2c-proxy';
import { startHoldingFront } from '../support/holding-front';
import { startTestSsm } from '../support/ssm-server';

/** The external ID of the CLI synth this file shares with test/lib/cdk-synth-cli.test.ts (one per run). */
const EXTERNAL_ID = SHARED_CLI_EXTERNAL_ID;
const WRITE_KEY = 'bundle-write-key';

/** A string only each lazy module's code holds (an API target, a library's own words). */
const ONLY_IN: Record<LazyModuleName, string> = {
  'tracking-plan-validator': 'json-schema.org/draft-07',
  'kinesis-aggregation': 'AggregatedRecord',
  'ssm-parameter-reader': 'AmazonSSM',
  'dynamodb-seen-store': 'DynamoDB_20120810',
  'dynamodb-suppression-list': '#s = :s',
  'bot-detector': ' deusu/',
  'geo-database': 'Cannot parse binary database',
  'device-parser': 'Mobile Safari',
};

/**
 * The closest this project gets to a deploy without an account: `index.js` from the cloud assembly
 * (esbuild bundle, SDK included, lazy modules next to it) run by the npm `aws-lambda-ric` on Node 24 against a
 * local Runtime API, with the environment of the synthesized template and every AWS service it calls
 * at a local stand-in (`AWS_ENDPOINT_URL_<SERVICE>`). API Gateway is the local stand-in, invoking the
 * function through the Runtime API one event at a time, as Lambda does.
 */
describe('the bundled asset under the Lambda runtime interface client on Node 24', () => {
  /** This file's own synths (the configuration document's); the shared CLI synth lives in the run's cache. */
  let outdir: string;
  let deployed: DeployedEnvironment;
  let lambda: LambdaProcess;
  let collector: ApiGatewayServer;
  const ids: string[] = [];

  beforeAll(async () => {
    outdir = mkdtempSync(join(tmpdir(), 'deployed-bundle-'));
    deployed = await startDeployedEnvironment({ externalId: EXTERNAL_ID, bundled: true });
    deployed.putWriteKeys(WRITE_KEY);
    lambda = await startLambdaProcess({
      codeDir: deployed.assetDir as string,
      handler: deployed.fn.handler,
      environment: deployed.env,
      memorySizeMb: deployed.fn.memorySizeMb,
      initTimeoutMs: 60_000,
    });
    const timeoutMs = deployed.fn.timeoutSeconds * 1000;
    collector = await startApiGatewayServer({
      port: 0,
      timeoutMs,
      handler: async (event) => {
        const invocation = await lambda.invoke(event, { timeoutMs });
        if (invocation.outcome === 'error') return { statusCode: 502, body: invocation.body };
        return JSON.parse(invocation.body) as APIGatewayProxyResultV2;
      },
    });
  }, 240_000);

  afterAll(async () => {
    await collector?.close();
    await lambda?.stop();
    await deployed?.stop();
    if (outdir !== undefined) rmSync(outdir, { recursive: true, force: true });
  });

  /**
   * A new execution environment of the asset (`codeDir`: another synth's) with `environment`,
   * behind its own API Gateway stand-in.
   */
  async function startFunction(environment: Record<string, string>, codeDir = deployed.assetDir as string) {
    const fresh = await startLambdaProcess({
      codeDir,
      handler: deployed.fn.handler,
      environment,
      memorySizeMb: deployed.fn.memorySizeMb,
      initTimeoutMs: 60_000,
    });
    const timeoutMs = deployed.fn.timeoutSeconds * 1000;
    const front = await startApiGatewayServer({
      port: 0,
      timeoutMs,
      handler: async (event) => {
        const invocation = await fresh.invoke(event, { timeoutMs });
        if (invocation.outcome === 'error') return { statusCode: 502, body: invocation.body };
        return JSON.parse(invocation.body) as APIGatewayProxyResultV2;
      },
    });
    return {
      lambda: fresh,
      url: front.url,
      close: async () => {
        await front.close();
        await fresh.stop();
      },
    };
  }

  it('initialises the cloud-assembly bundle on Node 24 and asks for its first event', () => {
    // Assess
    const bundle = join(deployed.assetDir as string, 'index.js');
    expect(existsSync(bundle)).toBe(true);
    expect(existsSync(`${bundle}.map`)).toBe(true);
    expect(statSync(bundle).size).toBeGreaterThan(100 * 1024);
    expect(lambda.initMs).toBeGreaterThan(0);
    expect(lambda.running).toBe(true);
  });

  it('keeps index.js within 700 KB by bundling what only some configurations need into files next to it', () => {
    // Arrange
    const file = (name: string) => join(deployed.assetDir as string, name);
    const main = readFileSync(file('index.js'), 'utf8');

    // Assess: each lazy module is its own file (with its source map), and its code is not in index.js.
    expect(statSync(file('index.js')).size).toBeLessThanOrEqual(700 * 1024);
    for (const name of LAZY_MODULE_NAMES) {
      expect([name, existsSync(file(`${name}.js`)), existsSync(file(`${name}.js.map`))]).toEqual([
        name,
        true,
        true,
      ]);
      expect([name, readFileSync(file(`${name}.js`), 'utf8').includes(ONLY_IN[name])]).toEqual([name, true]);
      expect([name, main.includes(ONLY_IN[name])]).toEqual([name, false]);
    }
  });

  it("starts Node through the asset's exec wrapper: without --expose-gc, with the runtime's other flags", () => {
    // Arrange: the wrapper execs Node, so the process keeps its pid and shows Node's command line.
    const wrapper = join(deployed.assetDir as string, 'exec-wrapper.sh');
    const commandLine = readFileSync(`/proc/${lambda.pid}/cmdline`, 'utf8').split('\0').filter(Boolean);

    // Assess
    expect(deployed.env.AWS_LAMBDA_EXEC_WRAPPER).toBe('/var/task/exec-wrapper.sh');
    expect(statSync(wrapper).mode & 0o111).not.toBe(0);
    expect(commandLine).toEqual([
      node24Binary(),
      ...runtimeNodeFlags(deployed.fn.memorySizeMb).filter((flag) => flag !== '--expose-gc'),
      runtimeInterfaceClientEntry(),
    ]);
  });

  it('loads built-in modules with require(), not import(): no ES module facade of node:http that would load undici on the first request', () => {
    // Arrange: the SDK's HTTP handler writes import("node:http"); esbuild's supported dynamic-import=false rewrites it.
    const bundles = ['index.js', ...LAZY_MODULE_NAMES.map((name) => `${name}.js`)].map((name) => [
      name,
      readFileSync(join(deployed.assetDir as string, name), 'utf8'),
    ]);

    // Assess
    for (const [name, code] of bundles) {
      expect([name, code?.match(/\bimport\(\s*["'](?:node:)?[a-z_/]+["']\s*\)/g) ?? []]).toEqual([name, []]);
    }
    expect(bundles[0]?.[1]).toContain('require("node:http")');
  });

  it("leaves the SDK's profile, SSO, login and web-identity credential providers out of the bundle: the environment's credentials only", () => {
    // Arrange: each provider logs its own name at debug level, words minification keeps.
    const asset = (name: string) => readFileSync(join(deployed.assetDir as string, name), 'utf8');
    const bundles = ['index.js', ...LAZY_MODULE_NAMES.map((name) => `${name}.js`)].map(asset).join('\n');

    // Assess
    expect(asset('index.js')).toContain('@aws-sdk/credential-provider-env - fromEnv');
    for (const provider of [
      '@aws-sdk/credential-provider-ini - fromIni',
      '@aws-sdk/credential-provider-sso - fromSSO',
      '@aws-sdk/credential-provider-web-identity - fromTokenFile',
      '@aws-sdk/credential-provider-process - fromProcess',
      '@aws-sdk/credential-provider-node - defaultProvider',
    ]) {
      expect([provider, bundles.includes(provider)]).toEqual([provider, false]);
    }
  });

  it('answers its first invocation with the write key from the secret and lands the events through one AssumeRole', async () => {
    // Act
    const answer = await sendBatch(collector.url, WRITE_KEY, trackBatch('bundle-first', 20));
    ids.push(...trackBatch('bundle-first', 20).map((event) => event.messageId));

    // Assess
    expect([answer.status, answer.body.accepted]).toEqual([200, 20]);
    expect((await deployed.records()).map((record) => record.json.event_id).sort()).toEqual([...ids].sort());
    expect(deployed.sts.calls().map((call) => [call.externalId, call.allowed])).toEqual([
      [EXTERNAL_ID, true],
    ]);
    expect(deployed.secretsManager.reads.get(deployed.writeKeysSecretArn)).toBe(1);
    expect(deployed.kinesisFront.calls.get('Kinesis_20131202.PutRecords')).toBeGreaterThanOrEqual(1);
  });

  it('answers warm invocations from the same container without another AssumeRole or secret read', async () => {
    // Act
    const answers = [];
    for (let i = 0; i < 3; i++)
      answers.push(await sendBatch(collector.url, WRITE_KEY, trackBatch(`bundle-warm-${i}`, 5)));
    for (let i = 0; i < 3; i++)
      ids.push(...trackBatch(`bundle-warm-${i}`, 5).map((event) => event.messageId));
    const unknown = await sendBatch(collector.url, 'not-a-key', trackBatch('bundle-unknown', 1));

    // Assess
    expect(answers.map((answer) => answer.status)).toEqual([200, 200, 200]);
    expect(unknown.status).toBe(401);
    expect(deployed.sts.calls()).toHaveLength(1);
    expect(deployed.secretsManager.reads.get(deployed.writeKeysSecretArn)).toBe(1);
    expect((await deployed.records()).map((record) => record.json.event_id).sort()).toEqual([...ids].sort());
  });

  it('answers a request after a freeze during which its Kinesis connection was dropped', async () => {
    // Act: frozen between invocations; meanwhile the stream endpoint closes the idle HTTP/2 session.
    const freeze = lambda.freeze(2_000);
    deployed.kinesisFront.dropConnections();
    await freeze;
    const answer = await sendBatch(collector.url, WRITE_KEY, trackBatch('bundle-thawed', 10));
    ids.push(...trackBatch('bundle-thawed', 10).map((event) => event.messageId));

    // Assess
    expect([answer.status, answer.body.accepted]).toEqual([200, 10]);
    expect((await deployed.records()).map((record) => record.json.event_id).sort()).toEqual([...ids].sort());
    expect(lambda.running).toBe(true);
    expect(lambda.logs()).not.toMatch(/"level":"ERROR"/);
  });
  describe('a new container, on its first request (lazy modules: the first that needs each)', () => {
    /** The template's configuration document, changed by `change`. */
    const configWith = (change: (config: Record<string, unknown>) => void) => {
      const config = JSON.parse(deployed.env.COLLECTOR_CONFIG as string) as Record<string, unknown>;
      change(config);
      return JSON.stringify(config);
    };
    const eventIds = async (prefix: string) =>
      (await deployed.records())
        .map((record) => String(record.json.event_id))
        .filter((id) => id.startsWith(prefix))
        .sort();

    it('answers a source without enrichment, field rules, suppression or a plan from index.js alone: every lazy module and the geo database removed from the asset', async () => {
      // Prepare: the asset without bot-detector.js, geo-database.js, device-parser.js,
      // dynamodb-suppression-list.js (and every other lazy module) or geo-country.mmdb: a module
      // the source loaded would fail its require (a 5xx and an ERROR log).
      const removed = new Set([
        ...LAZY_MODULE_NAMES.flatMap((name) => [`${name}.js`, `${name}.js.map`]),
        GEO_DATABASE_FILE,
      ]);
      const stripped = mkdtempSync(join(outdir, 'without-lazy-modules-'));
      cpSync(deployed.assetDir as string, stripped, {
        recursive: true,
        filter: (source) => !removed.has(basename(source)),
      });
      expect(readdirSync(stripped).filter((name) => removed.has(name))).toEqual([]);
      const fn = await startFunction(deployed.env, stripped);
      try {
        // Act
        const answer = await sendBatch(fn.url, WRITE_KEY, [
          {
            type: 'identify',
            userId: 'u1',
            messageId: 'plain-source',
            traits: { email: 'ann@example.com' },
            context: { ip: '8.8.8.8', userAgent: 'Mozilla/5.0 (compatible; Googlebot/2.1)' },
          },
        ]);

        // Assess: landed as sent, no lookup made, no module missed.
        expect([answer.status, answer.body.accepted]).toEqual([200, 1]);
        expect(await eventIds('plain-source')).toEqual(['plain-source']);
        const [record] = (await deployed.records()).filter((r) => r.json.event_id === 'plain-source');
        expect(record?.json.traits).toEqual({ email: 'ann@example.com' });
        expect(record?.json.context).not.toHaveProperty('location');
        expect(fn.lambda.logs()).not.toMatch(/"level":"ERROR"|Cannot find module/);
      } finally {
        await fn.close();
      }
    });

    it('checks the first request against a source tracking plan (tracking-plan-validator.js)', async () => {
      // Prepare: the source's plan wants a numeric total on Order Completed, and flags violations.
      const fn = await startFunction({
        ...deployed.env,
        COLLECTOR_CONFIG: configWith((config) => {
          const [source] = config.sources as Record<string, unknown>[];
          (source as Record<string, unknown>).trackingPlan = {
            events: {
              'Order Completed': {
                type: 'object',
                required: ['total'],
                properties: { total: { type: 'number' } },
              },
            },
            unplanned: 'allow',
            violations: 'flag',
          };
        }),
      });
      try {
        const batch = [
          {
            type: 'track',
            event: 'Order Completed',
            userId: 'u1',
            messageId: 'plan-ok',
            properties: { total: 5 },
          },
          {
            type: 'track',
            event: 'Order Completed',
            userId: 'u1',
            messageId: 'plan-bad',
            properties: { total: 'five' },
          },
        ];

        // Act
        const answer = await sendBatch(fn.url, WRITE_KEY, batch);

        // Assess
        expect([answer.status, answer.body.accepted]).toEqual([200, 2]);
        const records = (await deployed.records()).filter((record) =>
          String(record.json.event_id).startsWith('plan-'),
        );
        expect(
          records.map((record) => [record.json.event_id, record.json.violations ?? null]).sort(),
        ).toEqual([
          [
            'plan-bad',
            [{ path: 'properties.total', rule: 'type', message: 'properties.total must be number' }],
          ],
          ['plan-ok', null],
        ]);
        expect(fn.lambda.logs()).not.toMatch(/"level":"ERROR"/);
      } finally {
        await fn.close();
      }
    });

    it('aggregates the first request of a destination with aggregate: true (kinesis-aggregation.js)', async () => {
      // Prepare
      const fn = await startFunction({
        ...deployed.env,
        COLLECTOR_CONFIG: configWith((config) => {
          const [destination] = config.destinations as Record<string, unknown>[];
          (destination as Record<string, unknown>).aggregate = true;
        }),
      });
      const rawBefore = (await deployed.rawRecords()).length;
      try {
        // Act: 20 events of 5 users.
        const answer = await sendBatch(fn.url, WRITE_KEY, trackBatch('bundle-agg', 20));

        // Assess: every event landed, in one aggregated record per user.
        expect([answer.status, answer.body.accepted]).toEqual([200, 20]);
        expect(await eventIds('bundle-agg')).toEqual(
          trackBatch('bundle-agg', 20)
            .map((e) => e.messageId)
            .sort(),
        );
        expect((await deployed.rawRecords()).length - rawBefore).toBe(5);
        expect(fn.lambda.logs()).not.toMatch(/"level":"ERROR"/);
      } finally {
        await fn.close();
      }
    });

    it('enriches the first request of a source with bot, geo and device enrichment (bot-detector.js, geo-database.js with geo-country.mmdb, device-parser.js)', async () => {
      // Prepare
      const fn = await startFunction({
        ...deployed.env,
        COLLECTOR_CONFIG: configWith((config) => {
          const [source] = config.sources as Record<string, unknown>[];
          const pipeline = ((source as Record<string, unknown>).pipeline ?? {}) as Record<string, unknown>;
          (source as Record<string, unknown>).pipeline = {
            ...pipeline,
            enrich: { bot: 'drop', geo: {}, device: true },
            redact: { ip: 'drop' },
          };
        }),
      });
      try {
        const firefox = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0';
        const batch = [
          {
            type: 'track',
            event: 'E',
            userId: 'u1',
            messageId: 'enrich-person',
            context: { ip: '8.8.8.8', userAgent: firefox },
          },
          {
            type: 'track',
            event: 'E',
            userId: 'u1',
            messageId: 'enrich-bot',
            context: {
              userAgent: 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)',
            },
          },
        ];

        // Act
        const answer = await sendBatch(fn.url, WRITE_KEY, batch);

        // Assess: the bot's event is accepted and dropped; the person's has a country and no IP.
        expect([answer.status, answer.body.accepted, answer.body.filtered]).toEqual([200, 2, 1]);
        const records = (await deployed.records()).filter((record) =>
          String(record.json.event_id).startsWith('enrich-'),
        );
        expect(records.map((record) => [record.json.event_id, record.json.context])).toEqual([
          [
            'enrich-person',
            {
              userAgent: firefox,
              location: { country: 'US' },
              browser: { name: 'Firefox', version: '128.0' },
              os: { name: 'Windows', version: '10' },
              device: { type: 'desktop' },
            },
          ],
        ]);
        expect(fn.lambda.logs()).not.toMatch(/"level":"ERROR"/);
      } finally {
        await fn.close();
      }
    });

    it('spills the first request to the queue of SPILL_QUEUE_URL when the stream refuses it (the SQS client is in index.js)', async () => {
      // Prepare: a new container whose stream refuses every PutRecords call.
      const fn = await startFunction(deployed.env);
      deployed.kinesisFront.inject = refusePutRecords;
      try {
        // Act
        const answer = await sendBatch(fn.url, WRITE_KEY, trackBatch('bundle-spill', 3));

        // Assess
        expect(answer.status).toBe(200);
        const spilled = deployed.sqs
          .bodies(deployed.spillQueueName)
          .map((body) => JSON.parse(body) as { eventId: string; errorCode: string })
          .filter((message) => message.eventId.startsWith('bundle-spill'));
        expect(spilled.map((message) => [message.eventId, message.errorCode]).sort()).toEqual([
          ['bundle-spill-0', 'AccessDeniedException'],
          ['bundle-spill-1', 'AccessDeniedException'],
          ['bundle-spill-2', 'AccessDeniedException'],
        ]);
        expect(fn.lambda.logs()).toMatch(/Events the stream refused after the retry budget were spilled/);
      } finally {
        deployed.kinesisFront.inject = undefined;
        await fn.close();
      }
    });

    it('reads its configuration from the SSM parameter of COLLECTOR_CONFIG_PARAMETER (ssm-parameter-reader.js)', async () => {
      // Prepare: the template's document kept in SSM instead of the environment.
      const ssm = await startTestSsm();
      ssm.put('/collector/config', deployed.env.COLLECTOR_CONFIG as string, 'SecureString');
      const { COLLECTOR_CONFIG: _inline, ...environment } = deployed.env;
      const fn = await startFunction({
        ...environment,
        COLLECTOR_CONFIG_PARAMETER: '/collector/config',
        AWS_ENDPOINT_URL_SSM: ssm.endpoint,
      });
      try {
        // Act
        const answer = await sendBatch(fn.url, WRITE_KEY, trackBatch('bundle-ssm', 4));

        // Assess
        expect([answer.status, answer.body.accepted]).toEqual([200, 4]);
        expect(await eventIds('bundle-ssm')).toEqual(
          trackBatch('bundle-ssm', 4)
            .map((e) => e.messageId)
            .sort(),
        );
        expect(ssm.reads).toEqual([{ name: '/collector/config', withDecryption: true }]);
      } finally {
        await fn.close();
        await ssm.stop();
      }
    });
    it('answers a first request after a freeze right after init, without waiting on the secret read and AssumeRole started at init', async () => {
      // Prepare: the first GetSecretValue and AssumeRole (the ones init starts) never get their answer.
      const hold = (arrival: number) => (arrival === 1 ? 'hold' : 'pass');
      const secretsManager = await startHoldingFront(deployed.secretsManager.endpoint, hold);
      const sts = await startHoldingFront(deployed.sts.endpoint, hold);
      const fn = await startFunction({
        ...deployed.env,
        AWS_ENDPOINT_URL_SECRETS_MANAGER: secretsManager.url,
        AWS_ENDPOINT_URL_STS: sts.url,
        AWS_LAMBDA_INITIALIZATION_TYPE: 'provisioned-concurrency',
      });
      try {
        await Promise.all([secretsManager.arrived(1), sts.arrived(1)]);

        // Act: frozen (SIGSTOP) with both calls in flight, thawed 2.5 s later, then invoked.
        await fn.lambda.freeze(2_500);
        const answer = await sendBatch(fn.url, WRITE_KEY, trackBatch('bundle-frozen-init', 3));

        // Assess: answered through calls of its own while those of init still hang.
        expect([answer.status, answer.body.accepted]).toEqual([200, 3]);
        expect([secretsManager.arrivals, sts.arrivals]).toEqual([2, 2]);
        expect(await eventIds('bundle-frozen-init')).toEqual(
          trackBatch('bundle-frozen-init', 3)
            .map((e) => e.messageId)
            .sort(),
        );
        expect(fn.lambda.logs()).not.toMatch(/"level":"(ERROR|WARN)"/);
      } finally {
        await fn.close();
        await secretsManager.stop();
        await sts.stop();
      }
    });

    it('logs an error of the minified bundle by its class name: the write keys cannot be read', async () => {
      // Prepare: a container whose write-key secret does not exist.
      const fn = await startFunction({
        ...deployed.env,
        WRITE_KEYS_SECRET_ARN: `${deployed.writeKeysSecretArn}-missing`,
      });
      try {
        // Act
        const answer = await sendBatch(fn.url, WRITE_KEY, trackBatch('bundle-no-keys', 1));

        // Assess
        expect(answer.status).toBe(503);
        const warning = fn.lambda
          .logs()
          .split('\n')
          .find((line) => line.includes('"statusCode":503'));
        expect(warning).toMatch(/"errorName":"WriteKeysUnavailableError"/);
      } finally {
        await fn.close();
      }
    });
  });

  describe('a configuration document deployed with -c collectorConfig (three sources, two destinations)', () => {
    const document = threeSourceDocument();
    let fn: Awaited<ReturnType<typeof startFunction>>;
    let assetDir: string;
    let environment: Record<string, string>;

    beforeAll(async () => {
      // Prepare: synthesize the document as bin/app.ts does, bundling the collector's asset for real,
      // and run that asset with the template's environment resolved against the shared stand-ins.
      const dir = mkdtempSync(join(outdir, 'document-'));
      const deployment = buildTestApp({
        externalIds: EXTERNAL_ID,
        collectorConfig: writeDocument(dir, document),
        'aws:cdk:bundling-stacks': ['**/KinesisEventForwarder-Collector'],
      });
      const assembly = deployment.app.synth();
      const template = templateOf(deployment.collectorStack);
      const functionId = onlyLogicalId(template, 'AWS::Lambda::Function', COLLECTOR_FUNCTION_PATTERN);
      const s3Key = String(template.toJSON().Resources[functionId].Properties.Code.S3Key);
      assetDir = join(assembly.directory, `asset.${s3Key.replace(/\.zip$/, '')}`);
      // The document's own write-key secret: keys of web and app; server has none.
      const secretId = onlyLogicalId(template, 'AWS::SecretsManager::Secret', WRITE_KEYS_SECRET_PATTERN);
      const secretArn = `${deployed.writeKeysSecretArn}-document`;
      // The field-hash key the stack creates for the source with a keyed hash rule.
      const hashKeyId = onlyLogicalId(template, 'AWS::SecretsManager::Secret', {
        Description: Match.stringLikeRegexp('^Key of the event collector'),
      });
      const hashKeyArn = `${deployed.writeKeysSecretArn}-field-hash-key`;
      environment = deployed.environmentOf(template, { [secretId]: secretArn, [hashKeyId]: hashKeyArn });
      deployed.secretsManager.put(secretArn, JSON.stringify({ web: ['doc-web-key'], app: 'doc-app-key' }));
      deployed.secretsManager.put(hashKeyArn, JSON.stringify({ version: 'v1', key: 'k'.repeat(64) }));
      fn = await startFunction(environment, assetDir);
    }, 120_000);

    afterAll(async () => {
      await fn?.close();
    });

    it('holds the document in its asset next to index.js and gets only the bound destination from the environment', () => {
      // Assess
      expect(JSON.parse(readFileSync(join(assetDir, 'collector-config.json'), 'utf8'))).toEqual(document);
      expect(existsSync(join(assetDir, 'index.js'))).toBe(true);
      expect(environment.COLLECTOR_CONFIG).toBeUndefined();
      expect(JSON.parse(environment.COLLECTOR_DESTINATIONS as string)).toEqual({
        kinesis: {
          streamName: deployed.streamName,
          failedStreamName: deployed.failedStreamName,
          region: 'us-east-1',
          roleArn: deployed.role.roleArn,
          externalId: EXTERNAL_ID,
        },
      });
    });

    it('lands a planned event of the source with the 20 KB tracking plan and keeps a blocked one in the failed-events stream with its reason', async () => {
      // Act
      const answer = await sendBatch(fn.url, 'doc-web-key', [
        {
          type: 'track',
          event: 'Order Completed',
          userId: 'u1',
          messageId: 'doc-planned',
          properties: { total: 5 },
        },
        {
          type: 'track',
          event: 'Order Completed',
          userId: 'u1',
          messageId: 'doc-blocked',
          properties: { total: 'five' },
        },
      ]);

      // Assess
      expect([answer.status, answer.body.accepted]).toEqual([200, 1]);
      const landed = (await deployed.records()).filter((record) =>
        String(record.json.event_id).startsWith('doc-'),
      );
      expect(landed.map((record) => [record.json.event_id, record.json.source_id])).toEqual([
        ['doc-planned', 'web'],
      ]);
      const failed = (await deployed.failedRecords()).filter(
        (record) => record.json.event_id === 'doc-blocked',
      );
      expect(failed.map((record) => record.json)).toEqual([
        expect.objectContaining({
          source_id: 'web',
          failure: expect.objectContaining({ code: 'plan_violation' }),
        }),
      ]);
      expect(fn.lambda.logs()).not.toMatch(/"level":"ERROR"/);
    });

    it("filters the consent source's event without consent and accepts the second source's write key", async () => {
      // Act
      const answer = await sendBatch(fn.url, 'doc-app-key', [
        {
          type: 'identify',
          userId: 'u2',
          messageId: 'doc-consented',
          traits: { email: 'someone@example.com' },
          context: { consent: { categoryPreferences: { analytics: true } } },
        },
        { type: 'track', event: 'Opened', userId: 'u2', messageId: 'doc-no-consent' },
      ]);

      // Assess
      expect(answer.status).toBe(200);
      expect(answer.body).toMatchObject({ accepted: 2, filtered: 1 });
      const landed = (await deployed.records()).filter((record) =>
        ['doc-consented', 'doc-no-consent'].includes(String(record.json.event_id)),
      );
      expect(landed.map((record) => [record.json.event_id, record.json.source_id])).toEqual([
        ['doc-consented', 'app'],
      ]);
      expect(JSON.stringify(landed[0]?.json)).not.toContain('someone@example.com');
    });

    it('answers 401 to the source that has no key in the secret and logs its id', async () => {
      // Act
      const answer = await sendBatch(fn.url, 'doc-server-key', trackBatch('doc-server', 1));

      // Assess
      expect(answer.status).toBe(401);
      expect(fn.lambda.logs()).toMatch(
        /A source has no write key in the write-key secret.*"sourceId":"server"/,
      );
    });
  });
});
