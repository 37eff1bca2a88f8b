import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Match } from 'aws-cdk-lib/assertions';
import { InvalidDeployConfigError, readDeployConfig } from '../../lib/config';
import { DOCUMENT_FILE } from '../../lib/constructs/collector-function';
import { PARTNER, threeSourceDocument, writeDocument } from '../support/config-document';
import { COLLECTOR_FUNCTION_PATTERN, onlyLogicalId } from './support/template-assertions';
import { buildTestApp, templateOf } from './support/test-app';

/** `-c key=value` flags, with `collectorConfig` read from `files` instead of the disk. */
function configOf(context: Record<string, unknown>, files: Record<string, unknown> = {}) {
  return readDeployConfig((key) => context[key], {
    readFile: (path) => {
      if (!(path in files)) throw new Error(`ENOENT: no such file or directory, open '${path}'`);
      return JSON.stringify(files[path]);
    },
  });
}

function problemsOf(context: Record<string, unknown>, files: Record<string, unknown> = {}): string[] {
  try {
    configOf(context, files);
  } catch (error) {
    if (error instanceof InvalidDeployConfigError) return [...error.problems];
    throw error;
  }
  throw new Error('expected the context to be refused');
}

/** A valid key-free document with one source and one destination, changed by `change`. */
// biome-ignore lint/suspicious/noExplicitAny: tests reach into the document freely
type Loose = Record<string, any>;

function documentWith(change: (document: Loose) => void = () => {}): Record<string, unknown> {
  const document: Loose = {
    sources: [{ id: 'web', destinations: ['kinesis'] }],
    destinations: [{ id: 'kinesis', streamName: 'events', region: 'us-east-1' }],
  };
  change(document);
  return document;
}

const withDocument = (document: unknown, context: Record<string, unknown> = { externalIds: 'ext-1' }) =>
  problemsOf({ ...context, collectorConfig: 'deploy.json' }, { 'deploy.json': document });

/** The function's environment variables, intrinsics as JSON text. */
function environmentOf(template: ReturnType<typeof templateOf>): Record<string, unknown> {
  const id = onlyLogicalId(template, 'AWS::Lambda::Function', COLLECTOR_FUNCTION_PATTERN);
  return template.toJSON().Resources[id].Properties.Environment.Variables;
}

describe('cdk synth -c collectorConfig=<three sources, two destinations>', () => {
  // Prepare: the document of issue 33, and today's default synth to compare with.
  const dir = mkdtempSync(join(tmpdir(), 'config-document-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const document = threeSourceDocument();
  const deployment = buildTestApp({
    externalIds: 'document-external-id',
    collectorConfig: writeDocument(dir, document),
  });
  const template = templateOf(deployment.collectorStack);
  const environment = environmentOf(template);
  const defaultEnvironment = environmentOf(
    templateOf(buildTestApp({ externalIds: 'document-external-id' }).collectorStack),
  );

  it('synthesizes with a 20 KB inline tracking plan', () => {
    const [web] = document.sources as { trackingPlan: unknown }[];
    expect(JSON.stringify(web?.trackingPlan).length).toBeGreaterThanOrEqual(20 * 1024);
    expect(deployment.config.collector?.document?.config.sources.map((source) => source.id)).toEqual([
      'web',
      'app',
      'server',
    ]);
  });

  it("grows the function's environment by less than 1 KB over today's, the document being in the asset", () => {
    const size = (variables: Record<string, unknown>) => JSON.stringify(variables).length;
    expect(size(environment) - size(defaultEnvironment)).toBeLessThan(1024);
    expect(environment.COLLECTOR_CONFIG).toBeUndefined();
    expect(environment.COLLECTOR_CONFIG_FILE).toBe(DOCUMENT_FILE);
  });

  it('carries in COLLECTOR_DESTINATIONS only the bound destination, with the stream stack stream, failed stream, region, writer role and first external ID', () => {
    const text = JSON.stringify(environment.COLLECTOR_DESTINATIONS);
    expect(text).toMatch(/^\{"Fn::Join":\["",\["\{\\"kinesis\\":\{\\"streamName\\":\\""/);
    expect(text).toContain('OutputRefEventsStream');
    expect(text).toContain('OutputRefFailedEventsStream');
    expect(text).toContain('OutputFnGetAttWriterRole');
    expect(text).toContain('\\"externalId\\":\\"document-external-id\\"');
    expect(text).not.toContain('partner');
  });

  it("answers preflights for every source's origins, a one-label wildcard as https://*, with the document's max age", () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Api', {
      CorsConfiguration: Match.objectLike({
        AllowOrigins: ['https://*', 'https://www.example.org', 'https://shop.example.com'],
        MaxAge: 600,
      }),
    });
  });

  it("lets the function assume the writer role and the other account's role, nothing else", () => {
    const roleId = Object.keys(template.findResources('AWS::IAM::Role')).find((id) =>
      id.startsWith('CollectorRole'),
    );
    const statements = template.toJSON().Resources[roleId as string].Properties.Policies[0].PolicyDocument
      .Statement as { Sid: string; Resource: unknown }[];
    const assume = statements.find((statement) => statement.Sid === 'AssumeTheStreamWriterRole');
    expect(assume?.Resource).toEqual([
      PARTNER.roleArn,
      {
        'Fn::GetStackOutput': expect.objectContaining({ OutputName: expect.stringContaining('WriterRole') }),
      },
    ]);
  });
});

describe('cdk synth -c collectorConfig=<every destination with its own role> without externalIds', () => {
  // Prepare: the collector deployed alone, writing only to a stream in another account.
  const dir = mkdtempSync(join(tmpdir(), 'config-document-alone-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const deployment = buildTestApp({
    collectorConfig: writeDocument(dir, {
      sources: [{ id: 'web', destinations: ['partner'] }],
      destinations: [{ id: 'partner', ...PARTNER }],
    }),
  });

  it('synthesizes the collector stack alone, with the document in the asset and nothing bound', () => {
    expect(deployment.streamStack).toBeUndefined();
    const environment = environmentOf(templateOf(deployment.collectorStack));
    expect(environment.COLLECTOR_CONFIG_FILE).toBe(DOCUMENT_FILE);
    expect(environment.COLLECTOR_DESTINATIONS).toBeUndefined();
  });

  it("lets the function assume the document's role only", () => {
    templateOf(deployment.collectorStack).hasResourceProperties('AWS::IAM::Role', {
      Policies: [
        Match.objectLike({
          PolicyDocument: Match.objectLike({
            Statement: Match.arrayWith([
              Match.objectLike({ Sid: 'AssumeTheStreamWriterRole', Resource: PARTNER.roleArn }),
            ]),
          }),
        }),
      ],
    });
  });
});

describe('cdk synth refuses a configuration document it cannot deploy', () => {
  it('names the field of an invalid document with the runtime schema message', () => {
    const problems = withDocument(documentWith((document) => (document.sources[0].destinations = ['nope'])));
    expect(problems).toEqual([
      'collectorConfig: deploy.json: sources.0.destinations.0: no destination has id "nope"; add it to "destinations" or fix the id',
    ]);
  });

  it('refuses write keys in the document, saying where keys live instead', () => {
    const problems = withDocument(documentWith((document) => (document.sources[0].writeKeys = ['k-1'])));
    expect(problems).toEqual([
      expect.stringMatching(
        /^collectorConfig: deploy\.json: sources\.0\.writeKeys: write keys are not deployed in the document; remove them and keep each source's keys in the write-keys secret/,
      ),
    ]);
  });

  it('refuses static credentials, pointing to roleArn', () => {
    const problems = withDocument(
      documentWith(
        (document) => (document.destinations[0].credentials = { accessKeyId: 'a', secretAccessKey: 'b' }),
      ),
    );
    expect(problems).toEqual([
      expect.stringContaining(
        "destinations.0.credentials: static keys would sit in the function's code asset; remove them and give roleArn + externalId",
      ),
    ]);
  });

  it.each([
    ['endpoint', 'http://127.0.0.1:4567', 'a deployed collector writes to Kinesis in AWS'],
    [
      'stsEndpoint',
      'http://127.0.0.1:4566',
      'a deployed collector assumes roles through the regional AWS STS',
    ],
  ])('refuses the local-only %s with the fix', (field, value, fix) => {
    const problems = withDocument(documentWith((document) => (document.destinations[0][field] = value)));
    expect(problems).toContainEqual(expect.stringContaining(`destinations.0.${field}: ${fix}`));
  });

  it.each([
    ['sourceId', 'web', 'sources[].id'],
    ['destinationId', 'kinesis', 'destinations[].id'],
    ['partitionKey', 'event_id', 'sources[].partitionKey'],
    ['allowedOrigins', 'https://www.example.com', 'cors.allowedOrigins'],
    ['corsMaxAgeSeconds', '60', 'cors.maxAgeSeconds'],
    ['writerRoleArn', 'arn:aws:iam::222222222222:role/writer', 'destinations[].roleArn'],
    ['streamArn', 'arn:aws:kinesis:eu-west-1:222222222222:stream/events', 'destinations[].streamName'],
    ['externalId', 'ext-2', 'destinations[].externalId'],
    ['failedStreamName', 'events-failed', 'destinations[].failedStreamName'],
  ])(
    'refuses the context key %s next to a document, naming the document field that replaces it',
    (key, value, field) => {
      const problems = withDocument(documentWith(), { externalIds: 'ext-1', [key]: value });
      expect(problems).toContainEqual(
        expect.stringMatching(
          new RegExp(
            `^${key}: the configuration document replaces it; set ${field.replace(/[[\]().]/g, '\\$&')}`,
          ),
        ),
      );
    },
  );

  it('refuses the document in a stream-only deploy', () => {
    const problems = withDocument(documentWith(), {
      externalIds: 'ext-1',
      collectorAccountId: '111111111111',
    });
    expect(problems).toEqual([
      expect.stringMatching(/^collectorConfig: a stream-only deploy \(collectorAccountId\)/),
    ]);
  });

  it('refuses a destination without roleArn when the collector is deployed alone', () => {
    const problems = withDocument(documentWith(), {});
    expect(problems).toEqual([
      expect.stringContaining(
        'destinations.0.roleArn: required when the collector is deployed alone (no externalIds, so no stream stack to bind "kinesis" to)',
      ),
    ]);
  });

  it('deploys the collector alone when every destination names its stream, role and external ID', () => {
    const config = configOf(
      { collectorConfig: 'deploy.json' },
      {
        'deploy.json': documentWith((document) => {
          document.destinations[0] = { id: 'kinesis', ...PARTNER };
        }),
      },
    );
    expect(config.topology).toBe('collector-account');
    expect(config.stream).toBeUndefined();
    expect(config.collector?.document?.boundDestinationId).toBeUndefined();
  });

  it('refuses a second destination without roleArn: only one is bound to the stream stack', () => {
    const problems = withDocument(
      documentWith((document) =>
        document.destinations.push({ id: 'copy', streamName: 'copy', region: 'us-east-1' }),
      ),
    );
    expect(problems).toEqual([
      expect.stringContaining(
        'destinations.1.roleArn: only one destination without roleArn is bound to the stream stack ("kinesis", destinations.0)',
      ),
    ]);
  });

  it('refuses a destination with roleArn but no external ID', () => {
    const problems = withDocument(
      documentWith((document) => {
        document.destinations.push({
          id: 'partner',
          streamName: 'p',
          region: 'eu-west-1',
          roleArn: PARTNER.roleArn,
        });
      }),
    );
    expect(problems).toEqual([
      expect.stringContaining('destinations.1.externalId: required to assume roleArn from AWS'),
    ]);
  });

  it('refuses an origin pattern that neither API Gateway nor the collector matches, naming the field', () => {
    const problems = withDocument(
      documentWith((document) => (document.cors = { allowedOrigins: ['https://shop.*.com'] })),
    );
    expect(problems).toEqual([
      expect.stringContaining(
        'cors.allowedOrigins: "https://shop.*.com" is a pattern neither API Gateway nor the collector matches',
      ),
    ]);
  });

  it('says which file cannot be read and what to give instead', () => {
    const problems = problemsOf({ externalIds: 'ext-1', collectorConfig: 'missing.json' });
    expect(problems).toEqual([
      expect.stringMatching(
        /^collectorConfig: missing\.json: cannot be read \(ENOENT.*\); give the path of a JSON configuration document/,
      ),
    ]);
  });
});
