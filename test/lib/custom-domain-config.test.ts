import { InvalidDeployConfigError, readDeployConfig } from '../../lib/config';

const CERTIFICATE_ARN = 'arn:aws:acm:eu-west-1:123456789012:certificate/0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b';
const ZONE = { hostedZoneId: 'Z0123456789ABCDEFGHIJ', hostedZoneName: 'example.com' };

const lookup =
  (context: Record<string, unknown>) =>
  (key: string): unknown =>
    context[key];

function problemsOf(context: Record<string, unknown>, region?: string): readonly string[] {
  try {
    readDeployConfig(lookup({ externalIds: 'abc-123', ...context }), region === undefined ? {} : { region });
  } catch (error) {
    if (error instanceof InvalidDeployConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected the context to be rejected');
}

describe('the custom domain context keys', () => {
  it('keeps the execute-api URL alone when no domain is given', () => {
    const config = readDeployConfig(lookup({ externalIds: 'abc-123' }));

    expect(config.collector?.customDomain).toBeUndefined();
    expect(config.collector?.disableExecuteApiEndpoint).toBe(false);
  });

  it('reads a domain in a Route 53 zone, the zone name lower-cased and without its trailing dot', () => {
    const config = readDeployConfig(
      lookup({
        externalIds: 'abc-123',
        domainName: 'events.example.com',
        hostedZoneId: ZONE.hostedZoneId,
        hostedZoneName: 'Example.COM.',
        disableExecuteApiEndpoint: 'true',
      }),
    );

    expect(config.collector?.customDomain).toEqual({
      domainName: 'events.example.com',
      hostedZone: { hostedZoneId: ZONE.hostedZoneId, zoneName: 'example.com' },
      ipAddressType: 'dualstack',
    });
    expect(config.collector?.disableExecuteApiEndpoint).toBe(true);
  });

  it('reads a domain with an existing certificate and no zone, in the collector-only topology too', () => {
    const config = readDeployConfig(
      lookup({
        writerRoleArn: 'arn:aws:iam::222222222222:role/Writer',
        streamArn: 'arn:aws:kinesis:eu-west-1:222222222222:stream/events',
        externalId: 'abc-123',
        domainName: 'events.example.com',
        certificateArn: CERTIFICATE_ARN,
      }),
      { region: 'eu-west-1' },
    );

    expect(config.collector?.customDomain).toEqual({
      domainName: 'events.example.com',
      certificateArn: CERTIFICATE_ARN,
      ipAddressType: 'dualstack',
    });
  });

  it('reads ipAddressType=ipv4, the opt-out of IPv6', () => {
    const config = readDeployConfig(
      lookup({ externalIds: 'abc-123', domainName: 'events.example.com', ...ZONE, ipAddressType: 'ipv4' }),
    );

    expect(config.collector?.customDomain?.ipAddressType).toBe('ipv4');
  });

  it('refuses an ipAddressType other than dualstack or ipv4', () => {
    expect(problemsOf({ domainName: 'events.example.com', ...ZONE, ipAddressType: 'ipv6' })).toEqual([
      'ipAddressType: "ipv6" is not valid; use one of dualstack, ipv4',
    ]);
  });

  it('refuses ipAddressType=ipv4 without a domain', () => {
    expect(problemsOf({ ipAddressType: 'ipv4' })).toEqual([
      'ipAddressType: only used with domainName; set domainName too (e.g. -c domainName=events.example.com), or remove it',
    ]);
  });

  it.each([
    ['https://events.example.com'],
    ['events.example.com/'],
    ['Events.Example.com'],
    ['*.example.com'],
    ['events'],
    ['-events.example.com'],
  ])('refuses the domain name %p, saying what a domain name looks like', (domainName) => {
    expect(problemsOf({ domainName, certificateArn: CERTIFICATE_ARN })).toEqual([
      `domainName: "${domainName}" is not a domain name; use the collector's own host name in lowercase, without scheme, path or trailing dot, like events.example.com`,
    ]);
  });

  it('refuses a zone the domain is not in', () => {
    expect(problemsOf({ domainName: 'events.example.com', ...ZONE, hostedZoneName: 'example.org' })).toEqual([
      'hostedZoneName: events.example.com is not in the zone example.org; give the zone the domain belongs to (its name must end the domain name)',
    ]);
  });

  it('refuses a zone that only ends like the domain, not a parent of it', () => {
    expect(problemsOf({ domainName: 'events.myexample.com', ...ZONE })).toEqual([
      'hostedZoneName: events.myexample.com is not in the zone example.com; give the zone the domain belongs to (its name must end the domain name)',
    ]);
  });

  it.each([
    [{ hostedZoneId: ZONE.hostedZoneId }, 'hostedZoneName: required with hostedZoneId'],
    [{ hostedZoneName: ZONE.hostedZoneName }, 'hostedZoneId: required with hostedZoneName'],
  ])('refuses half a zone (%p)', (zone, problem) => {
    expect(problemsOf({ domainName: 'events.example.com', ...zone }).join('\n')).toContain(problem);
  });

  it('refuses a zone ID pasted with its /hostedzone/ prefix', () => {
    expect(
      problemsOf({
        domainName: 'events.example.com',
        ...ZONE,
        hostedZoneId: `/hostedzone/${ZONE.hostedZoneId}`,
      }),
    ).toEqual([
      `hostedZoneId: "/hostedzone/${ZONE.hostedZoneId}" is not a Route 53 hosted zone ID; use the ID the Route 53 console shows for the zone, like Z0123456789ABCDEFGHIJ (without /hostedzone/)`,
    ]);
  });

  it('refuses a domain with no way to get a certificate', () => {
    expect(problemsOf({ domainName: 'events.example.com' })).toEqual([
      'domainName: needs a certificate; give hostedZoneId + hostedZoneName (a new certificate is validated by DNS in that Route 53 zone, and alias records are made) or certificateArn (an existing certificate in the region you deploy to)',
    ]);
  });

  it.each([
    ['arn:aws:acm:eu-west-1:123456789012:certificate/not-a-uuid'],
    ['arn:aws:iam::123456789012:server-certificate/events'],
    ['0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b'],
  ])('refuses the certificate ARN %p, showing the expected shape', (certificateArn) => {
    expect(problemsOf({ domainName: 'events.example.com', certificateArn })).toEqual([
      `certificateArn: "${certificateArn}" is not an ACM certificate ARN; use one like arn:aws:acm:eu-west-1:123456789012:certificate/<uuid>, in the region you deploy the collector to`,
    ]);
  });

  it('refuses a certificate of another region than the one the CLI deploys to', () => {
    const certificateArn = CERTIFICATE_ARN.replace('eu-west-1', 'us-east-1');

    expect(problemsOf({ domainName: 'events.example.com', certificateArn }, 'eu-west-1')).toEqual([
      "certificateArn: the certificate is in us-east-1, but the collector deploys to eu-west-1 (the CDK CLI's region: AWS_REGION, else the AWS profile's, else us-east-1); set AWS_REGION=us-east-1 to deploy there, or use a certificate of eu-west-1 (a regional API Gateway domain needs one in its own region), or leave certificateArn out and give hostedZoneId + hostedZoneName",
    ]);
  });

  it.each([['hostedZoneId'], ['hostedZoneName'], ['certificateArn']])(
    'refuses %s without domainName',
    (key) => {
      const values: Record<string, string> = { ...ZONE, certificateArn: CERTIFICATE_ARN };

      expect(problemsOf({ [key]: values[key] })).toEqual([
        `${key}: only used with domainName; set domainName too (e.g. -c domainName=events.example.com), or remove it`,
      ]);
    },
  );

  it('refuses to turn the execute-api URL off when there is no domain to answer instead', () => {
    expect(problemsOf({ disableExecuteApiEndpoint: 'true' })).toEqual([
      'disableExecuteApiEndpoint: with no domainName nothing would answer; set domainName too (e.g. -c domainName=events.example.com), or remove it',
    ]);
  });

  it('refuses custom domain keys in the stream-only deployment, which has no API', () => {
    expect(
      problemsOf({ collectorAccountId: '111111111111', domainName: 'events.example.com', ...ZONE }),
    ).toEqual([
      'domainName, hostedZoneId, hostedZoneName: only used by the collector stack; set them when you deploy the collector',
    ]);
  });
});
