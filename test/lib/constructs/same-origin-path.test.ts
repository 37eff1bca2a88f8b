import { App, SecretValue, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import { AwsSolutionsChecks } from 'cdk-nag';
import { COLLECTOR_ROUTES } from '../../../lib/constructs/ingest-api';
import { hostOfUrl, SameOriginPath } from '../../../lib/constructs/same-origin-path';
import { stripPathPrefixFunctionCode } from '../../../lib/constructs/strip-path-prefix-function';

const SECRET_ARN = 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:collector-origin-AbCdEf';
const API_HOST = 'abc123.execute-api.eu-west-1.amazonaws.com';
/** CloudFront's managed policies, by the ids AWS documents. */
const CACHING_DISABLED = '4135ea2d-6df8-44a3-9df3-4b5a84be39ad';
const ALL_VIEWER_EXCEPT_HOST_HEADER = 'b689b0a8-53d0-40ab-baf2-68738e2966ac';

/** The site's own stack: a distribution for its pages, and the collector's path on it. */
function siteStack(pathPrefix = '/collect', apiDomainName = API_HOST) {
  const app = new App();
  const stack = new Stack(app, 'Site');
  const distribution = new cloudfront.Distribution(stack, 'Site', {
    defaultBehavior: { origin: new origins.HttpOrigin('pages.example.com') },
  });
  const path = new SameOriginPath(stack, 'Collector', {
    distribution,
    pathPrefix,
    apiDomainName,
    originSecret: SecretValue.secretsManager(SECRET_ARN),
  });
  return { app, stack, path };
}

/** Runs a CloudFront Function's source as CloudFront does: `handler(event)` with a viewer request. */
interface FunctionRequest {
  uri: string;
  querystring: unknown;
  headers: Record<string, { value: string }>;
}
function runFunction(
  code: string,
  uri: string,
  headers: Record<string, { value: string }> = { host: { value: 'www.example.com' } },
): FunctionRequest {
  const handler = new Function(`${code}\nreturn handler;`)() as (event: unknown) => FunctionRequest;
  return handler({
    version: '1.0',
    context: { eventType: 'viewer-request' },
    viewer: { ip: '198.51.100.7' },
    request: { method: 'POST', uri, querystring: { writeKey: { value: 'wk' } }, headers, cookies: {} },
  });
}

describe('SameOriginPath', () => {
  let template: Template;
  let site: ReturnType<typeof siteStack>;
  beforeAll(() => {
    site = siteStack();
    template = Template.fromStack(site.stack);
  });

  /** The cache behaviors of the site's distribution, as synthesized. */
  const behaviors = () =>
    (
      Object.values(template.findResources('AWS::CloudFront::Distribution'))[0] as {
        Properties: { DistributionConfig: { CacheBehaviors: { PathPattern: string }[] } };
      }
    ).Properties.DistributionConfig.CacheBehaviors;

  it("adds /collect/v1/* and RudderStack's /collect/pixel/v1/*, /collect/beacon/v1/*, /collect/sourceConfig* behaviors, each with no caching, every viewer value but Host, every method, https only", () => {
    // Assess
    expect(behaviors().map((behavior) => behavior.PathPattern)).toEqual([
      '/collect/v1/*',
      '/collect/pixel/v1/*',
      '/collect/beacon/v1/*',
      '/collect/sourceConfig*',
    ]);
    const [first, ...others] = behaviors();
    expect(first).toMatchObject({
      CachePolicyId: CACHING_DISABLED,
      OriginRequestPolicyId: ALL_VIEWER_EXCEPT_HOST_HEADER,
      AllowedMethods: ['GET', 'HEAD', 'OPTIONS', 'PUT', 'PATCH', 'POST', 'DELETE'],
      ViewerProtocolPolicy: 'https-only',
      Compress: false,
      FunctionAssociations: [
        {
          EventType: 'viewer-request',
          FunctionARN: { 'Fn::GetAtt': [expect.any(String), 'FunctionARN'] },
        },
      ],
    });
    const { PathPattern: _, ...settings } = first as { PathPattern: string };
    for (const other of others) expect(other).toEqual({ ...settings, PathPattern: other.PathPattern });
  });

  it('sends every route of the collector API, under the prefix, to the collector and no other path of the site', () => {
    // CloudFront's path patterns: `*` any characters, `?` one, case-sensitive, the whole path.
    const matcher = (pattern: string) => {
      const escaped = pattern.replace(/[.+^$|()[\]{}\\]/g, '\\$&');
      return new RegExp(`^${escaped.replace(/\*/g, '.*').replace(/\?/g, '.')}$`);
    };
    const patterns = behaviors().map((behavior) => matcher(behavior.PathPattern));
    const routed = (path: string) => patterns.some((pattern) => pattern.test(path));

    for (const route of COLLECTOR_ROUTES) {
      const path = `/collect${route.path.replace(/\{[^}]+\}/g, 'x')}`;
      expect([path, routed(path)]).toEqual([path, true]);
    }
    expect(routed('/collect/sourceConfig/')).toBe(true);
    for (const sitePath of ['/', '/collect', '/collect/index.html', '/pixel/v1/track', '/v1/t']) {
      expect([sitePath, routed(sitePath)]).toEqual([sitePath, false]);
    }
  });

  it('forwards to the API over TLS 1.2 with the secret origin header resolved from Secrets Manager at deploy', () => {
    // Assess
    template.hasResourceProperties('AWS::CloudFront::Distribution', {
      DistributionConfig: Match.objectLike({
        Origins: Match.arrayWith([
          Match.objectLike({
            DomainName: API_HOST,
            CustomOriginConfig: Match.objectLike({
              OriginProtocolPolicy: 'https-only',
              OriginSSLProtocols: ['TLSv1.2'],
            }),
            OriginCustomHeaders: [
              {
                HeaderName: 'x-collector-origin-secret',
                HeaderValue: `{{resolve:secretsmanager:${SECRET_ARN}:SecretString:::}}`,
              },
            ],
          }),
        ]),
      }),
    });
  });

  it('publishes a cloudfront-js-2.0 function whose code strips the prefix', () => {
    // Assess
    template.hasResourceProperties('AWS::CloudFront::Function', {
      AutoPublish: true,
      FunctionCode: stripPathPrefixFunctionCode('/collect'),
      FunctionConfig: Match.objectLike({ Runtime: 'cloudfront-js-2.0' }),
    });
  });

  it('adds nothing cdk-nag reports besides what the site distribution itself carries', () => {
    // Prepare
    const bare = new App();
    const bareStack = new Stack(bare, 'Site');
    new cloudfront.Distribution(bareStack, 'Site', {
      defaultBehavior: { origin: new origins.HttpOrigin('pages.example.com') },
    });

    // Act
    const rules = (app: App) =>
      new AwsSolutionsChecks()
        .validateScope(app)
        .violations.map((violation) => violation.ruleName)
        .sort();

    // Assess
    expect(rules(site.app)).toEqual(rules(bare));
  });

  it("refuses a prefix with a trailing slash, a wildcard, no leading slash, or the collector's own /v1", () => {
    // Act + Assess
    for (const prefix of ['/collect/', '/c*', 'collect', '/v1', '/v1/x', '']) {
      expect(() => siteStack(prefix)).toThrow(/SameOriginPath: .* (is not a path prefix|starts with \/v1)/);
    }
  });

  it('takes the API host from an HttpApi endpoint token', () => {
    // Prepare
    const stack = new Stack(new App(), 'Api');
    const api = new apigwv2.HttpApi(stack, 'Api');

    // Act
    const host = stack.resolve(hostOfUrl(api.apiEndpoint));

    // Assess
    expect(host).toEqual({
      'Fn::Select': [2, { 'Fn::Split': ['/', { 'Fn::GetAtt': [expect.any(String), 'ApiEndpoint'] }] }],
    });
    expect(hostOfUrl('https://events.example.com')).toBe('events.example.com');
  });
});

describe('the prefix-stripping CloudFront Function', () => {
  const code = stripPathPrefixFunctionCode('/collect');

  it('turns /collect/v1/t into /v1/t and keeps the query string', () => {
    // Act
    const request = runFunction(code, '/collect/v1/t');

    // Assess
    expect(request.uri).toBe('/v1/t');
    expect(request.querystring).toEqual({ writeKey: { value: 'wk' } });
  });

  it("names the site's host and the prefix it removed, overwriting what a viewer sent under those names", () => {
    // Act
    const request = runFunction(code, '/collect/v1/projects/wk/settings', {
      host: { value: 'www.example.com' },
      'x-collector-forwarded-host': { value: 'evil.example' },
      'x-collector-path-prefix': { value: '/elsewhere' },
    });

    // Assess
    expect(request.headers['x-collector-forwarded-host']).toEqual({ value: 'www.example.com' });
    expect(request.headers['x-collector-path-prefix']).toEqual({ value: '/collect' });
  });

  it('drops a forwarded host a viewer sent when the request has no Host', () => {
    // Act
    const request = runFunction(code, '/collect/v1/t', {
      'x-collector-forwarded-host': { value: 'evil.example' },
    });

    // Assess
    expect(request.headers['x-collector-forwarded-host']).toBeUndefined();
  });

  it('leaves a path that only looks like the prefix alone', () => {
    // Act
    const request = runFunction(code, '/collectors/v1/t');

    // Assess
    expect(request.uri).toBe('/collectors/v1/t');
  });

  it('keeps a prefix with quotes harmless: it is written as a JSON string', () => {
    // Act
    const request = runFunction(stripPathPrefixFunctionCode('/a"b'), '/a"b/v1/batch');

    // Assess
    expect(request.uri).toBe('/v1/batch');
  });
});
