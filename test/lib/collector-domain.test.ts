import { Match, type Template } from 'aws-cdk-lib/assertions';
import { collectorTemplate as cachedCollectorTemplate } from '../support/synth-cache';

const CERTIFICATE_ARN = 'arn:aws:acm:eu-west-1:123456789012:certificate/0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b';
/** The context of the synth command. */
const IN_ZONE = {
  externalIds: 'test-external-id',
  domainName: 'events.example.com',
  hostedZoneId: 'Z0123456789ABCDEFGHIJ',
  hostedZoneName: 'example.com',
};

function collectorTemplate(context: Record<string, string>): Template {
  return cachedCollectorTemplate(context);
}

const DOMAIN_NAME_REF = { Ref: Match.stringLikeRegexp('^DomainDomainName') };

describe('the collector stack with a custom domain in a Route 53 zone, execute-api off', () => {
  const template = collectorTemplate({ ...IN_ZONE, disableExecuteApiEndpoint: 'true' });

  it('requests a certificate for the domain, validated by DNS in that zone', () => {
    template.hasResourceProperties('AWS::CertificateManager::Certificate', {
      DomainName: 'events.example.com',
      ValidationMethod: 'DNS',
      DomainValidationOptions: [{ DomainName: 'events.example.com', HostedZoneId: 'Z0123456789ABCDEFGHIJ' }],
    });
  });

  it("gives the HTTP API the domain (regional, TLS 1.2) with that certificate, mapped to its stage's root", () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::DomainName', {
      DomainName: 'events.example.com',
      DomainNameConfigurations: [
        Match.objectLike({
          CertificateArn: { Ref: Match.stringLikeRegexp('^DomainCertificate') },
          EndpointType: 'REGIONAL',
          SecurityPolicy: 'TLS_1_2',
        }),
      ],
    });
    template.hasResourceProperties('AWS::ApiGatewayV2::ApiMapping', {
      ApiId: { Ref: Match.stringLikeRegexp('^IngestApi') },
      DomainName: DOMAIN_NAME_REF,
      Stage: '$default',
      ApiMappingKey: Match.absent(),
    });
  });

  it.each([['A'], ['AAAA']])('points an alias %s record in the zone at the domain', (type) => {
    template.hasResourceProperties('AWS::Route53::RecordSet', {
      Type: type,
      Name: 'events.example.com.',
      HostedZoneId: 'Z0123456789ABCDEFGHIJ',
      AliasTarget: Match.objectLike({
        DNSName: { 'Fn::GetAtt': [Match.stringLikeRegexp('^DomainDomainName'), 'RegionalDomainName'] },
      }),
    });
  });

  it('keeps IPv6: a dual-stack domain with alias A and AAAA records', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::DomainName', {
      DomainNameConfigurations: [Match.objectLike({ IpAddressType: 'dualstack' })],
    });
    template.resourcePropertiesCountIs('AWS::Route53::RecordSet', { Type: 'AAAA' }, 1);
  });

  it('turns the execute-api endpoint off', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Api', { DisableExecuteApiEndpoint: true });
  });

  it('outputs https://events.example.com as the collector URL, and neither the execute-api URL nor a CNAME target', () => {
    template.hasOutput('CollectorUrl', { Value: 'https://events.example.com' });
    expect(template.findOutputs('ExecuteApiUrl')).toEqual({});
    expect(template.findOutputs('CustomDomainTarget')).toEqual({});
  });
});

describe('the collector stack with an existing certificate', () => {
  it('uses the given certificate, creates none, and outputs the host the domain must point at', () => {
    const template = collectorTemplate({
      externalIds: 'test-external-id',
      domainName: 'events.example.com',
      certificateArn: CERTIFICATE_ARN,
    });

    template.resourceCountIs('AWS::CertificateManager::Certificate', 0);
    template.hasResourceProperties('AWS::ApiGatewayV2::DomainName', {
      DomainNameConfigurations: [Match.objectLike({ CertificateArn: CERTIFICATE_ARN })],
    });
    template.resourceCountIs('AWS::Route53::RecordSet', 0);
    template.hasOutput('CollectorUrl', { Value: 'https://events.example.com' });
    template.hasOutput('CustomDomainTarget', {
      Value: { 'Fn::GetAtt': [Match.stringLikeRegexp('^DomainDomainName'), 'RegionalDomainName'] },
    });
  });

  it('keeps the execute-api URL on by default and outputs it next to the domain', () => {
    const template = collectorTemplate({
      externalIds: 'test-external-id',
      domainName: 'events.example.com',
      certificateArn: CERTIFICATE_ARN,
    });

    template.hasResourceProperties('AWS::ApiGatewayV2::Api', { DisableExecuteApiEndpoint: false });
    template.hasOutput('ExecuteApiUrl', {
      Value: { 'Fn::GetAtt': [Match.stringLikeRegexp('^IngestApi'), 'ApiEndpoint'] },
    });
  });

  it('still creates the alias records when the zone is given too', () => {
    const template = collectorTemplate({ ...IN_ZONE, certificateArn: CERTIFICATE_ARN });

    template.resourceCountIs('AWS::CertificateManager::Certificate', 0);
    template.resourcePropertiesCountIs('AWS::Route53::RecordSet', { Name: 'events.example.com.' }, 2);
    expect(template.findOutputs('CustomDomainTarget')).toEqual({});
  });
});

describe('the collector stack without a custom domain', () => {
  it('creates no domain, certificate or record, and outputs the execute-api URL', () => {
    // The default topology other files synthesize too (test/support/synth-cache.ts).
    const template = collectorTemplate({ externalIds: 'ext-one' });

    template.resourceCountIs('AWS::ApiGatewayV2::DomainName', 0);
    template.resourceCountIs('AWS::CertificateManager::Certificate', 0);
    template.resourceCountIs('AWS::Route53::RecordSet', 0);
    template.hasOutput('CollectorUrl', {
      Value: { 'Fn::GetAtt': [Match.stringLikeRegexp('^IngestApi'), 'ApiEndpoint'] },
    });
  });
});

describe('the collector stack with ipAddressType=ipv4', () => {
  const template = collectorTemplate({ ...IN_ZONE, ipAddressType: 'ipv4' });

  it('makes an IPv4-only domain with an alias A record and no AAAA record', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::DomainName', {
      DomainNameConfigurations: [Match.objectLike({ IpAddressType: 'ipv4' })],
    });
    template.resourcePropertiesCountIs('AWS::Route53::RecordSet', { Type: 'A' }, 1);
    template.resourcePropertiesCountIs('AWS::Route53::RecordSet', { Type: 'AAAA' }, 0);
  });
});
