import {
  APP_CONTEXT_KEYS,
  InvalidDeployConfigError,
  knownContextKeys,
  readAppContext,
  unknownContextKeys,
} from '../../lib/config';

describe('unknownContextKeys', () => {
  it.each([
    ['domainname', 'domainName'],
    ['hostedZoneID', 'hostedZoneId'],
    ['certifcateArn', 'certificateArn'],
    ['externalID', 'externalId'],
    ['shardcount', 'shardCount'],
  ])('names %s unknown and %s the closest known key', (typo, closest) => {
    expect(unknownContextKeys([typo], knownContextKeys())).toEqual([{ key: typo, closest }]);
  });

  it('says nothing of the keys the app reads', () => {
    expect(unknownContextKeys(knownContextKeys(), knownContextKeys())).toEqual([]);
  });

  it("leaves the CDK's own keys alone: feature flags, toolkit settings, lookups and CLI settings", () => {
    const cdkKeys = [
      '@aws-cdk/core:checkSecretUsage',
      '@aws-cdk-containers/ecs-service-extensions:enableDefaultLogDriver',
      'aws:cdk:bundling-stacks',
      'aws:cdk:enable-path-metadata',
      'availability-zones:account=123456789012:region=eu-west-1',
      'cli-telemetry',
      'acknowledged-issue-numbers',
      'aws-cdk:enableDiffNoFail',
      'cdk-migrate',
    ];

    expect(unknownContextKeys(cdkKeys, knownContextKeys())).toEqual([]);
  });
});

describe('readAppContext', () => {
  const lookupOf = (context: Record<string, unknown>) => (key: string) => context[key];

  it('fails on unknown keys and acknowledges nothing by default', () => {
    expect(readAppContext(lookupOf({}))).toEqual({ allowUnknownContext: false, acknowledgedWarnings: [] });
  });

  it('reads allowUnknownContext from -c (a string) and from cdk.json (a boolean)', () => {
    expect(readAppContext(lookupOf({ allowUnknownContext: 'true' })).allowUnknownContext).toBe(true);
    expect(readAppContext(lookupOf({ allowUnknownContext: true })).allowUnknownContext).toBe(true);
    expect(readAppContext(lookupOf({ allowUnknownContext: 'false' })).allowUnknownContext).toBe(false);
  });

  it('turns warning names, and the ids cdk synth prints, into the ids aws-cdk-lib acknowledges', () => {
    const context = readAppContext(
      lookupOf({
        acknowledgeWarnings: 'concurrency, Annotation::kinesis-event-forwarder:throttling-quota,concurrency',
      }),
    );

    expect(context.acknowledgedWarnings).toEqual([
      'Annotation::kinesis-event-forwarder:concurrency',
      'Annotation::kinesis-event-forwarder:throttling-quota',
    ]);
  });

  it('refuses a value it does not know, naming the key and what it takes', () => {
    expect(() =>
      readAppContext(lookupOf({ allowUnknownContext: 'yes', acknowledgeWarnings: 'concurency' })),
    ).toThrow(InvalidDeployConfigError);
    expect(() => readAppContext(lookupOf({ allowUnknownContext: 'yes' }))).toThrow(
      'allowUnknownContext: "yes" is not valid; use true or false',
    );
    expect(() => readAppContext(lookupOf({ acknowledgeWarnings: 'concurency' }))).toThrow(
      'acknowledgeWarnings: "concurency" is not a warning of this app; use concurrency or throttling-quota',
    );
  });

  it("keeps the app's own keys apart from the stacks' keys, and never reports them as unknown", () => {
    expect(knownContextKeys()).not.toContain('allowUnknownContext');
    expect(unknownContextKeys(APP_CONTEXT_KEYS, [...knownContextKeys(), ...APP_CONTEXT_KEYS])).toEqual([]);
  });
});
