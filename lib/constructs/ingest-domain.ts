import { Token } from 'aws-cdk-lib';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as targets from 'aws-cdk-lib/aws-route53-targets';
import { Construct } from 'constructs';

/** A Route 53 public hosted zone, named by its id and its name (no lookup: synth stays offline). */
export interface HostedZoneReference {
  /** Like `Z0123456789ABCDEFGHIJ`. */
  readonly hostedZoneId: string;
  /** Like `example.com`: the domain name must be this name or end with `.` + it. */
  readonly zoneName: string;
}

export interface IngestDomainProps {
  /** The API the domain answers for. */
  readonly api: apigwv2.IHttpApi;
  /** The stage the domain maps to, at the domain's root (no mapping key). */
  readonly stage: apigwv2.IHttpStage;
  /** The collector's own host name, like `events.example.com`. */
  readonly domainName: string;
  /**
   * The zone the domain lives in. With it, alias `A` and `AAAA` records point the domain at the API,
   * and, without `certificateArn`, the new certificate is validated by DNS in it.
   * @default - no DNS records: point the domain at `dnsTarget` yourself
   */
  readonly hostedZone?: HostedZoneReference;
  /**
   * An existing ACM certificate for the domain, in the stack's region.
   * @default - a new certificate, validated by DNS in `hostedZone` (which is then required)
   */
  readonly certificateArn?: string;
  /**
   * Who can reach the domain: IPv4 and IPv6 clients (`DUAL_STACK`, alias `A` and `AAAA` records), or
   * IPv4 clients only (`IPV4`, an `A` record only). Switching an existing domain to `IPV4` drops its
   * IPv6 clients: choose it for a new domain, or knowingly.
   * @default apigwv2.IpAddressType.DUAL_STACK
   */
  readonly ipAddressType?: apigwv2.IpAddressType;
}

/**
 * The collector's stable first-party URL: an API Gateway custom domain (regional, TLS 1.2, IPv4 and
 * IPv6 unless `ipAddressType` says IPv4 only) mapped to the stage at its root, with its certificate
 * (a new DNS-validated one, or the one given) and, when the zone is given, alias `A` and (dual-stack)
 * `AAAA` records. Sites and apps keep their URL when the
 * API is replaced, and events go to the site's own domain rather than a generated AWS host.
 */
export class IngestDomain extends Construct {
  readonly domain: apigwv2.DomainName;
  readonly certificate: acm.ICertificate;
  /** `https://<domainName>`: the collector URL SDKs use. */
  readonly url: string;
  /** The API Gateway host the domain must resolve to (a CNAME target when no zone was given). */
  readonly dnsTarget: string;

  constructor(scope: Construct, id: string, props: IngestDomainProps) {
    super(scope, id);
    const { domainName, hostedZone, certificateArn } = props;
    const ipAddressType = props.ipAddressType ?? apigwv2.IpAddressType.DUAL_STACK;
    if (hostedZone === undefined && certificateArn === undefined) {
      throw new Error(
        `IngestDomain: ${domainName} needs a certificate: give hostedZone (a new certificate is validated by DNS there) or certificateArn`,
      );
    }
    if (
      hostedZone !== undefined &&
      !Token.isUnresolved(hostedZone.zoneName) &&
      domainName !== hostedZone.zoneName &&
      !domainName.endsWith(`.${hostedZone.zoneName}`)
    ) {
      throw new Error(`IngestDomain: ${domainName} is not in the zone ${hostedZone.zoneName}`);
    }

    const zone =
      hostedZone === undefined
        ? undefined
        : route53.PublicHostedZone.fromHostedZoneAttributes(this, 'Zone', hostedZone);
    this.certificate =
      certificateArn !== undefined
        ? acm.Certificate.fromCertificateArn(this, 'Certificate', certificateArn)
        : new acm.Certificate(this, 'Certificate', {
            domainName,
            validation: acm.CertificateValidation.fromDns(zone),
          });
    this.domain = new apigwv2.DomainName(this, 'DomainName', {
      domainName,
      certificate: this.certificate,
      endpointType: apigwv2.EndpointType.REGIONAL,
      securityPolicy: apigwv2.SecurityPolicy.TLS_1_2,
      ipAddressType,
    });
    new apigwv2.ApiMapping(this, 'Mapping', { api: props.api, domainName: this.domain, stage: props.stage });

    if (zone !== undefined) {
      const target = route53.RecordTarget.fromAlias(
        new targets.ApiGatewayv2DomainProperties(
          this.domain.regionalDomainName,
          this.domain.regionalHostedZoneId,
        ),
      );
      new route53.ARecord(this, 'AliasA', { zone, recordName: `${domainName}.`, target });
      if (ipAddressType === apigwv2.IpAddressType.DUAL_STACK) {
        new route53.AaaaRecord(this, 'AliasAAAA', { zone, recordName: `${domainName}.`, target });
      }
    }
    this.url = `https://${domainName}`;
    this.dnsTarget = this.domain.regionalDomainName;
  }
}
