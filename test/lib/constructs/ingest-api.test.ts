import { Duration, type Stack } from 'aws-cdk-lib';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { CORS_ALLOWED_HEADERS, CORS_EXPOSED_HEADERS } from '../../../lambda/contract/cors-headers';
import { INGEST_API_DEFAULTS } from '../../../lib/config/construct-defaults';
import {
  accessLogFormat,
  COLLECTOR_ROUTES,
  IngestApi,
  type IngestApiProps,
  THROTTLING_QUOTA_WARNING_ID,
} from '../../../lib/constructs/ingest-api';
import { bareStack, onlyResource, propertiesOf, templateWith } from '../support/template-assertions';
import { synthWarnings } from '../support/test-app';

/** An existing function, by a literal ARN, as the API's handler. */
const FUNCTION_ARN = 'arn:aws:lambda:eu-west-1:111111111111:function:collector';

const apiTemplate = (props: Omit<IngestApiProps, 'handler'> = {}): Template =>
  templateWith(
    (stack) =>
      new IngestApi(stack, 'Ingest', {
        handler: lambda.Function.fromFunctionAttributes(stack, 'Collector', {
          functionArn: FUNCTION_ARN,
          sameEnvironment: true,
        }),
        ...props,
      }),
  );
const apiOf = (template: Template) => onlyResource(template, 'AWS::ApiGatewayV2::Api').Properties;
const stageOf = (template: Template) => onlyResource(template, 'AWS::ApiGatewayV2::Stage').Properties;

describe('IngestApi on its own', () => {
  const defaults = apiTemplate();

  describe('by default', () => {
    it('allows INGEST_API_DEFAULTS.allowedOrigins in CORS preflights', () => {
      expect(apiOf(defaults).CorsConfiguration.AllowOrigins).toEqual([...INGEST_API_DEFAULTS.allowedOrigins]);
    });

    it('lets browsers cache a preflight for INGEST_API_DEFAULTS.corsMaxAgeSeconds', () => {
      expect(apiOf(defaults).CorsConfiguration.MaxAge).toBe(INGEST_API_DEFAULTS.corsMaxAgeSeconds);
    });

    it('throttles the stage at INGEST_API_DEFAULTS.throttlingRateLimit and throttlingBurstLimit', () => {
      expect(stageOf(defaults).DefaultRouteSettings).toEqual({
        ThrottlingRateLimit: INGEST_API_DEFAULTS.throttlingRateLimit,
        ThrottlingBurstLimit: INGEST_API_DEFAULTS.throttlingBurstLimit,
      });
    });

    it('keeps access logs for INGEST_API_DEFAULTS.accessLogRetentionDays', () => {
      const logGroup = onlyResource(defaults, 'AWS::Logs::LogGroup');

      expect(logGroup.Properties.RetentionInDays).toBe(INGEST_API_DEFAULTS.accessLogRetentionDays);
      expect(stageOf(defaults).AccessLogSettings.DestinationArn).toEqual({
        'Fn::GetAtt': [logGroup.logicalId, 'Arn'],
      });
    });

    it("writes access log lines without the client's address", () => {
      expect(stageOf(defaults).AccessLogSettings.Format).toBe(accessLogFormat(false));
    });

    it('keeps the execute-api URL on', () => {
      expect(apiOf(defaults).DisableExecuteApiEndpoint).toBeUndefined();
    });

    it('answers preflights with the SDK headers and exposes Retry-After and X-RateLimit-Reset', () => {
      expect(apiOf(defaults).CorsConfiguration.ExposeHeaders).toEqual(['Retry-After', 'X-RateLimit-Reset']);
      expect(apiOf(defaults).CorsConfiguration).toMatchObject({
        AllowHeaders: [...CORS_ALLOWED_HEADERS],
        ExposeHeaders: [...CORS_EXPOSED_HEADERS],
        AllowMethods: ['POST', 'GET', 'OPTIONS'],
      });
    });

    it("routes GET and HEAD of Segment's and RudderStack's pixel paths to the handler", () => {
      const routeKeys = propertiesOf(defaults, 'AWS::ApiGatewayV2::Route').map((route) => route.RouteKey);

      expect(routeKeys).toEqual(
        expect.arrayContaining(
          ['/v1/pixel/{type}', '/pixel/v1/track', '/pixel/v1/page'].flatMap((path) => [
            `GET ${path}`,
            `HEAD ${path}`,
          ]),
        ),
      );
    });

    it('routes GET /v1/r, the link-click redirect, to the handler', () => {
      const routeKeys = propertiesOf(defaults, 'AWS::ApiGatewayV2::Route').map((route) => route.RouteKey);

      expect(routeKeys).toContain('GET /v1/r');
    });

    it('routes each collector route, and only those, to the handler with payload format 2.0', () => {
      const routeKeys = propertiesOf(defaults, 'AWS::ApiGatewayV2::Route').map((route) => route.RouteKey);

      expect(routeKeys.sort()).toEqual(
        COLLECTOR_ROUTES.map((route) => `${route.method} ${route.path}`).sort(),
      );
      expect(onlyResource(defaults, 'AWS::ApiGatewayV2::Integration').Properties).toMatchObject({
        IntegrationType: 'AWS_PROXY',
        IntegrationUri: FUNCTION_ARN,
        PayloadFormatVersion: '2.0',
      });
      defaults.hasResourceProperties('AWS::Lambda::Permission', {
        Action: 'lambda:InvokeFunction',
        FunctionName: FUNCTION_ARN,
        Principal: 'apigateway.amazonaws.com',
      });
    });
  });

  describe('overridden', () => {
    const overridden = apiTemplate({
      allowedOrigins: ['https://www.example.com'],
      corsMaxAge: Duration.minutes(5),
      throttlingRateLimit: 50,
      throttlingBurstLimit: 100,
      accessLogRetention: logs.RetentionDays.ONE_WEEK,
      accessLogSourceIp: true,
      disableExecuteApiEndpoint: true,
    });

    it('allows the origins given', () => {
      expect(apiOf(overridden).CorsConfiguration.AllowOrigins).toEqual(['https://www.example.com']);
    });

    it('lets browsers cache a preflight for the max age given', () => {
      expect(apiOf(overridden).CorsConfiguration.MaxAge).toBe(300);
    });

    it('throttles the stage at the rate and burst given', () => {
      expect(stageOf(overridden).DefaultRouteSettings).toEqual({
        ThrottlingRateLimit: 50,
        ThrottlingBurstLimit: 100,
      });
    });

    it('keeps access logs for the retention given', () => {
      expect(onlyResource(overridden, 'AWS::Logs::LogGroup').Properties.RetentionInDays).toBe(7);
    });

    it("writes the client's address in access log lines when asked", () => {
      expect(stageOf(overridden).AccessLogSettings.Format).toBe(accessLogFormat(true));
      expect(accessLogFormat(true)).toContain('"sourceIp":"$context.identity.sourceIp"');
    });

    it('turns the execute-api URL off when asked', () => {
      expect(apiOf(overridden).DisableExecuteApiEndpoint).toBe(true);
    });
  });

  it.each([
    ['a rate limit of 0', { throttlingRateLimit: 0 }],
    ['a negative burst limit', { throttlingBurstLimit: -1 }],
  ])('refuses %s, saying what the limits must be', (_, props) => {
    expect(() => apiTemplate(props)).toThrow(
      'IngestApi: throttlingRateLimit and throttlingBurstLimit must be positive numbers',
    );
  });

  describe("against API Gateway's account quota", () => {
    const stackWith = (props: Omit<IngestApiProps, 'handler'>): Stack => {
      const stack = bareStack();
      new IngestApi(stack, 'Ingest', {
        handler: lambda.Function.fromFunctionArn(stack, 'Collector', FUNCTION_ARN),
        ...props,
      });
      return stack;
    };

    it('warns at synth, naming the quota and the fix, when the rate limit is above 10,000 requests/s', () => {
      const { annotations, printed } = synthWarnings(
        stackWith({ throttlingRateLimit: 20_000, throttlingBurstLimit: 5_000 }),
      );

      annotations.hasWarning(
        '*',
        Match.stringLikeRegexp(
          "throttlingRateLimit 20000 requests/s .* exceed API Gateway's account quota of 10,000 requests/s with bursts of 5,000.*Lower throttlingRateLimit to 10000 .*Service Quotas",
        ),
      );
      expect(printed).toContain(`Acknowledge with 'Annotation::${THROTTLING_QUOTA_WARNING_ID}'`);
    });

    it('warns when the burst limit alone is above the quota of 5,000', () => {
      const { annotations } = synthWarnings(
        stackWith({ throttlingRateLimit: 1_000, throttlingBurstLimit: 8_000 }),
      );

      annotations.hasWarning(
        '*',
        Match.stringLikeRegexp('throttlingBurstLimit 8000 exceed .*throttlingBurstLimit to 5000'),
      );
    });

    it('does not warn at the quota itself', () => {
      const { annotations } = synthWarnings(
        stackWith({ throttlingRateLimit: 10_000, throttlingBurstLimit: 5_000 }),
      );

      annotations.hasNoWarning('*', Match.stringLikeRegexp('account quota'));
    });
  });
});
