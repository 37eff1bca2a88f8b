import { knownContextKeys, unknownContextKeys } from '../../lib/config';

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
    ];

    expect(unknownContextKeys(cdkKeys, knownContextKeys())).toEqual([]);
  });
});
