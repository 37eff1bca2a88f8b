import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { IpAddressType } from 'aws-cdk-lib/aws-apigatewayv2';
import { IngestDomain, type IngestDomainProps } from '../../../lib/constructs/ingest-domain';
import { minimalHttpStage } from '../support/template-assertions';
import { cdkJsonContext } from '../support/test-app';

const ZONE = { hostedZoneId: 'Z0123456789ABCDEFGHIJ', zoneName: 'example.com' };
const CERTIFICATE_ARN = 'arn:aws:acm:eu-west-1:123456789012:certificate/0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b';

/** The construct on a bare stack with a minimal HTTP API. */
function domainStack(props: Omit<IngestDomainProps, 'api' | 'stage'>) {
  const stack = new Stack(new App({ context: cdkJsonContext() }), 'Test');
  const { api, stage } = minimalHttpStage(stack);
  const domain = new IngestDomain(stack, 'Domain', { api, stage, ...props });
  return { stack, domain, template: Template.fromStack(stack) };
}

describe('IngestDomain', () => {
  it('creates a certificate validated by DNS in the given zone when no certificate is given', () => {
    const { template } = domainStack({ domainName: 'events.example.com', hostedZone: ZONE });

    template.hasResourceProperties('AWS::CertificateManager::Certificate', {
      DomainName: 'events.example.com',
      ValidationMethod: 'DNS',
      DomainValidationOptions: [{ DomainName: 'events.example.com', HostedZoneId: ZONE.hostedZoneId }],
    });
  });

  it('gives API Gateway a regional, TLS 1.2, dual-stack domain mapped to the stage at its root', () => {
    const { template } = domainStack({ domainName: 'events.example.com', hostedZone: ZONE });

    template.hasResourceProperties('AWS::ApiGatewayV2::DomainName', {
      DomainName: 'events.example.com',
      DomainNameConfigurations: [
        Match.objectLike({
          EndpointType: 'REGIONAL',
          SecurityPolicy: 'TLS_1_2',
          IpAddressType: 'dualstack',
          CertificateArn: { Ref: Match.stringLikeRegexp('Certificate') },
        }),
      ],
    });
    template.hasResourceProperties('AWS::ApiGatewayV2::ApiMapping', {
      DomainName: { Ref: Match.stringLikeRegexp('DomainName') },
      ApiId: { Ref: Match.stringLikeRegexp('Api') },
      Stage: '$default',
      ApiMappingKey: Match.absent(),
    });
  });

  it.each([['A'], ['AAAA']])('points an alias %s record in the zone at the API Gateway domain', (type) => {
    const { template } = domainStack({ domainName: 'events.example.com', hostedZone: ZONE });

    template.hasResourceProperties('AWS::Route53::RecordSet', {
      Type: type,
      Name: 'events.example.com.',
      HostedZoneId: ZONE.hostedZoneId,
      AliasTarget: {
        DNSName: { 'Fn::GetAtt': [Match.stringLikeRegexp('DomainName'), 'RegionalDomainName'] },
        HostedZoneId: { 'Fn::GetAtt': [Match.stringLikeRegexp('DomainName'), 'RegionalHostedZoneId'] },
      },
    });
  });

  it('makes an IPv4-only domain with an A record and no AAAA record when asked', () => {
    const { template } = domainStack({
      domainName: 'events.example.com',
      hostedZone: ZONE,
      ipAddressType: IpAddressType.IPV4,
    });

    template.hasResourceProperties('AWS::ApiGatewayV2::DomainName', {
      DomainNameConfigurations: [Match.objectLike({ IpAddressType: 'ipv4' })],
    });
    template.resourcePropertiesCountIs('AWS::Route53::RecordSet', { Type: 'A' }, 1);
    template.resourcePropertiesCountIs('AWS::Route53::RecordSet', { Type: 'AAAA' }, 0);
  });

  it('uses the given certificate and creates none; with a zone, the alias records are still made', () => {
    const { template } = domainStack({
      domainName: 'events.example.com',
      hostedZone: ZONE,
      certificateArn: CERTIFICATE_ARN,
    });

    template.resourceCountIs('AWS::CertificateManager::Certificate', 0);
    template.hasResourceProperties('AWS::ApiGatewayV2::DomainName', {
      DomainNameConfigurations: [Match.objectLike({ CertificateArn: CERTIFICATE_ARN })],
    });
    template.resourcePropertiesCountIs('AWS::Route53::RecordSet', { Name: 'events.example.com.' }, 2);
  });

  it('creates no DNS record without a zone and names the target to point the domain at', () => {
    const { stack, domain, template } = domainStack({
      domainName: 'events.example.com',
      certificateArn: CERTIFICATE_ARN,
    });

    template.resourceCountIs('AWS::Route53::RecordSet', 0);
    template.resourceCountIs('AWS::CertificateManager::Certificate', 0);
    expect(domain.url).toBe('https://events.example.com');
    expect(stack.resolve(domain.dnsTarget)).toEqual({
      'Fn::GetAtt': [expect.stringMatching(/DomainName/), 'RegionalDomainName'],
    });
  });

  it('refuses a domain with neither a zone nor a certificate, saying what to give', () => {
    expect(() => domainStack({ domainName: 'events.example.com' })).toThrow(
      'IngestDomain: events.example.com needs a certificate: give hostedZone (a new certificate is validated by DNS there) or certificateArn',
    );
  });

  it('refuses a domain outside the given zone', () => {
    expect(() => domainStack({ domainName: 'events.example.org', hostedZone: ZONE })).toThrow(
      'IngestDomain: events.example.org is not in the zone example.com',
    );
  });
});
