import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { PARTNER, writeDocument } from '../support/config-document';
import { type TopologyTemplates, topologyTemplates } from '../support/synth-cache';

/**
 * The logical id and type of every resource of every topology `bin/app.ts` synthesizes, pinned. A
 * changed logical id makes CloudFormation replace the resource: a new stream (the old one's records
 * lost with it), a new write-keys secret (every SDK's key ends), new spill queues (spilled events
 * lost). The stacks are built from the stream-side and collector-side constructs the package
 * exports, so this pin also holds those constructs to the ids deployments already have. A change
 * here must be deliberate: regenerate with `PIN_UPDATE=1 npx jest test/lib/logical-id-pin.test.ts`
 * and say why in the commit.
 */
const PIN_FILE = path.join(__dirname, 'fixtures', 'logical-id-pin.json');

/** The resource types whose replacement loses data or breaks clients: named in their own test. */
const STATEFUL_TYPES = [
  'AWS::Kinesis::Stream',
  'AWS::IAM::Role',
  'AWS::SecretsManager::Secret',
  'AWS::SQS::Queue',
  'AWS::KMS::Key',
  'AWS::DynamoDB::Table',
] as const;

/** The documents of the document topologies (the same content every run; the path is the run's own). */
const documentDir = mkdtempSync(path.join(tmpdir(), 'logical-id-pin-'));

const CROSS_ACCOUNT = {
  writerRoleArn: 'arn:aws:iam::222222222222:role/event-writer',
  streamArn: 'arn:aws:kinesis:eu-west-1:222222222222:stream/events',
  externalId: 'source-a-1f3e',
};

/** Each topology's CDK context (contexts other tests synthesize too, so the synth cache shares them). */
const TOPOLOGIES: Record<string, Record<string, string>> = {
  'same account, defaults': { externalIds: 'ext-one,ext-two' },
  'same account, customer-managed key, alarms by email': {
    externalIds: 'ext-one',
    streamEncryption: 'CUSTOMER_MANAGED',
    alarmEmail: 'ops@example.com',
  },
  'same account, every optional resource: provisioned, failed stream off, spill key, custom domain, same-origin path':
    {
      externalIds: 'ext-one',
      streamMode: 'PROVISIONED',
      shardCount: '2',
      failedEventsStream: 'false',
      iteratorAgeAlarmSeconds: '600',
      spillEncryption: 'CUSTOMER_MANAGED',
      retainSpillQueues: 'false',
      retainWriteKeys: 'false',
      alarmTopicArn: 'arn:aws:sns:eu-west-1:111111111111:alarms',
      failedRateAlarmPercent: '5',
      domainName: 'events.example.com',
      hostedZoneId: 'Z0123456789ABCDEFGHIJ',
      hostedZoneName: 'example.com',
      disableExecuteApiEndpoint: 'true',
      sameOriginPrefix: '/collect',
    },
  'same account with a document: bound and partner destinations, dedup, suppression': {
    externalIds: 'document-external-id',
    collectorConfig: writeDocument(
      documentDir,
      {
        sources: [
          {
            id: 'web',
            destinations: ['events', 'partner'],
            dedup: { windowHours: 24 },
            suppression: { enabled: true },
          },
          { id: 'server', destinations: ['events'] },
        ],
        destinations: [
          { id: 'events', streamName: 'bound-at-synth', region: 'us-east-1' },
          { id: 'partner', ...PARTNER },
        ],
      },
      'document.json',
    ),
  },
  'stream account only (cross-account)': {
    collectorAccountId: '111111111111',
    collectorRoleArn: 'arn:aws:iam::111111111111:role/kinesis-event-forwarder/Prod/Collector-AbC',
    externalIds: 'a-1',
    alarmEmail: 'ops@example.com',
  },
  'collector account only (cross-account)': CROSS_ACCOUNT,
  'collector account only with a configuration document': {
    collectorConfig: writeDocument(
      documentDir,
      { sources: [{ id: 'web', destinations: ['partner'] }], destinations: [{ id: 'partner', ...PARTNER }] },
      'alone.json',
    ),
  },
};

type StackPin = { readonly stackName: string; readonly resources: Record<string, string> };
type TopologyPin = { readonly stream?: StackPin; readonly collector?: StackPin };

function pinOf(templates: TopologyTemplates): TopologyPin {
  const stackPin = (stack: TopologyTemplates['stream']): StackPin | undefined =>
    stack === undefined
      ? undefined
      : {
          stackName: stack.stackName,
          resources: Object.fromEntries(
            Object.entries(stack.template.toJSON().Resources as Record<string, { Type: string }>)
              .map(([id, resource]) => [id, resource.Type] as const)
              .sort(([a], [b]) => a.localeCompare(b)),
          ),
        };
  const stream = stackPin(templates.stream);
  const collector = stackPin(templates.collector);
  return { ...(stream === undefined ? {} : { stream }), ...(collector === undefined ? {} : { collector }) };
}

/** The pin's stateful resources only: `{ stack: { logicalId: type } }`. */
function statefulOf(pin: TopologyPin): Record<string, Record<string, string>> {
  return Object.fromEntries(
    Object.entries(pin).map(([side, stack]: [string, StackPin]) => [
      side,
      Object.fromEntries(
        Object.entries(stack.resources).filter(([, type]) =>
          (STATEFUL_TYPES as readonly string[]).includes(type),
        ),
      ),
    ]),
  );
}

const current = Object.fromEntries(
  Object.entries(TOPOLOGIES).map(([name, context]) => [name, pinOf(topologyTemplates(context))]),
);
if (process.env.PIN_UPDATE === '1') writeFileSync(PIN_FILE, `${JSON.stringify(current, null, 2)}\n`);
const pinned = (existsSync(PIN_FILE) ? JSON.parse(readFileSync(PIN_FILE, 'utf8')) : {}) as Record<
  string,
  TopologyPin
>;

describe.each(Object.keys(TOPOLOGIES))('the logical ids of %s', (name) => {
  const now = current[name] as TopologyPin;
  const then = pinned[name];

  it('has a pin', () => {
    expect(then).toBeDefined();
  });

  it('keeps the stream, failed stream, writer role, write-keys secret, spill queues and keys', () => {
    expect(statefulOf(now)).toEqual(statefulOf(then as TopologyPin));
  });

  it('keeps the stack names and the logical id and type of every resource', () => {
    expect(now).toEqual(then);
  });
});
