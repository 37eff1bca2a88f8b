import { CUSTOM_DOMAIN_CONTEXT_KEYS } from './context-keys';
import {
  CERTIFICATE_ARN_PATTERN,
  CERTIFICATE_ARN_RULE,
  DOMAIN_NAME_PATTERN,
  DOMAIN_NAME_RULE,
  HOSTED_ZONE_ID_PATTERN,
} from './context-patterns';
import type { ContextReader } from './context-reader';
import type { CustomDomainDeployConfig, DeployEnvironment } from './deploy-config';

/**
 * The collector's custom domain (`domainName` with `hostedZoneId` + `hostedZoneName`, or
 * `certificateArn`, or both, and `ipAddressType`: `dualstack` by default, `ipv4` to opt out of IPv6)
 * and `disableExecuteApiEndpoint`. Reports every inconsistency: a zone
 * given by half, a zone the domain is not in, a certificate ARN of another region than the deploy's,
 * a domain with no way to get a certificate, and the execute-api URL turned off with no domain.
 */
export function readCustomDomainConfig(
  reader: ContextReader,
  environment: DeployEnvironment = {},
): { readonly customDomain?: CustomDomainDeployConfig; readonly disableExecuteApiEndpoint: boolean } {
  const disableExecuteApiEndpoint = reader.boolean('disableExecuteApiEndpoint', false);
  const domainName = reader.matching('domainName', DOMAIN_NAME_PATTERN, DOMAIN_NAME_RULE);
  const hostedZoneId = reader.matching(
    'hostedZoneId',
    HOSTED_ZONE_ID_PATTERN,
    'a Route 53 hosted zone ID; use the ID the Route 53 console shows for the zone, like Z0123456789ABCDEFGHIJ (without /hostedzone/)',
  );
  const zoneName = reader.string('hostedZoneName')?.toLowerCase().replace(/\.$/, '');
  if (zoneName !== undefined && !DOMAIN_NAME_PATTERN.test(zoneName)) {
    reader.problems.push(
      `hostedZoneName: "${zoneName}" is not a domain name; use the zone's name as Route 53 shows it, like example.com`,
    );
  }
  const certificateArn = reader.matching('certificateArn', CERTIFICATE_ARN_PATTERN, CERTIFICATE_ARN_RULE);
  const ipAddressType = reader.oneOf('ipAddressType', 'dualstack', ['dualstack', 'ipv4']);
  const certificateRegion =
    certificateArn === undefined ? undefined : CERTIFICATE_ARN_PATTERN.exec(certificateArn)?.[1];

  if (!reader.has('domainName')) {
    for (const key of CUSTOM_DOMAIN_CONTEXT_KEYS) {
      if (key === 'domainName' || !reader.has(key)) continue;
      if (key === 'disableExecuteApiEndpoint' && !disableExecuteApiEndpoint) continue;
      if (key === 'ipAddressType' && ipAddressType === 'dualstack') continue;
      reader.problems.push(
        key === 'disableExecuteApiEndpoint'
          ? 'disableExecuteApiEndpoint: with no domainName nothing would answer; set domainName too (e.g. -c domainName=events.example.com), or remove it'
          : `${key}: only used with domainName; set domainName too (e.g. -c domainName=events.example.com), or remove it`,
      );
    }
    return { disableExecuteApiEndpoint };
  }
  if (reader.has('hostedZoneId') !== reader.has('hostedZoneName')) {
    reader.problems.push(
      `${reader.has('hostedZoneId') ? 'hostedZoneName' : 'hostedZoneId'}: required with ${reader.has('hostedZoneId') ? 'hostedZoneId' : 'hostedZoneName'}; give the zone's ID and name together, as Route 53 shows them (the app looks nothing up)`,
    );
  }
  if (!reader.has('hostedZoneId') && !reader.has('hostedZoneName') && !reader.has('certificateArn')) {
    reader.problems.push(
      'domainName: needs a certificate; give hostedZoneId + hostedZoneName (a new certificate is validated by DNS in that Route 53 zone, and alias records are made) or certificateArn (an existing certificate in the region you deploy to)',
    );
  }
  if (domainName !== undefined && zoneName !== undefined && DOMAIN_NAME_PATTERN.test(zoneName)) {
    if (domainName !== zoneName && !domainName.endsWith(`.${zoneName}`)) {
      reader.problems.push(
        `hostedZoneName: ${domainName} is not in the zone ${zoneName}; give the zone the domain belongs to (its name must end the domain name)`,
      );
    }
  }
  if (certificateRegion !== undefined && environment.region && certificateRegion !== environment.region) {
    reader.problems.push(
      `certificateArn: the certificate is in ${certificateRegion}, but the collector deploys to ${environment.region} (the CDK CLI's region: AWS_REGION, else the AWS profile's, else us-east-1); set AWS_REGION=${certificateRegion} to deploy there, or use a certificate of ${environment.region} (a regional API Gateway domain needs one in its own region), or leave certificateArn out and give hostedZoneId + hostedZoneName`,
    );
  }
  if (domainName === undefined) return { disableExecuteApiEndpoint };
  const hostedZone =
    hostedZoneId !== undefined && zoneName !== undefined ? { hostedZoneId, zoneName } : undefined;
  return {
    customDomain: {
      domainName,
      ...(hostedZone === undefined ? {} : { hostedZone }),
      ...(certificateArn === undefined ? {} : { certificateArn }),
      ipAddressType,
    },
    disableExecuteApiEndpoint,
  };
}
