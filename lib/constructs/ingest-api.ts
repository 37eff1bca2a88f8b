import { Annotations, Duration, Validations } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { CORS_ALLOWED_HEADERS, CORS_EXPOSED_HEADERS } from '../../lambda/contract/cors-headers';
import { SYNTH_WARNING_IDS } from '../config/app-context';
import { API_GATEWAY_ACCOUNT_QUOTA } from '../config/aws-limits';
import { INGEST_API_DEFAULTS } from '../config/construct-defaults';

/**
 * The id of the synth warning a stage limit above API Gateway's account quota raises. An owner who
 * has raised the quota acknowledges it with `Validations.of(app).acknowledge(...)` (id
 * `Annotation::kinesis-event-forwarder:throttling-quota`) and a reason; the app does so for
 * `-c acknowledgeWarnings=throttling-quota`.
 */
export const THROTTLING_QUOTA_WARNING_ID = SYNTH_WARNING_IDS['throttling-quota'];

/** Warns at synth when the stage's limits are above the account's quota, which they can never reach. */
function warnAboveAccountQuota(scope: Construct, rateLimit: number, burstLimit: number): void {
  const { rateLimit: quotaRate, burstLimit: quotaBurst } = API_GATEWAY_ACCOUNT_QUOTA;
  if (rateLimit <= quotaRate && burstLimit <= quotaBurst) return;
  Annotations.of(scope).addWarningV2(
    THROTTLING_QUOTA_WARNING_ID,
    `throttlingRateLimit ${rateLimit} requests/s and throttlingBurstLimit ${burstLimit} exceed API Gateway's account quota of ${quotaRate.toLocaleString('en-US')} requests/s with bursts of ${quotaBurst.toLocaleString('en-US')}, which every API of the account shares in each region: the stage limit is never reached, and a flood here throttles the account's other APIs. Lower throttlingRateLimit to ${Math.min(rateLimit, quotaRate)} and throttlingBurstLimit to ${Math.min(burstLimit, quotaBurst)} at most, or have the quota raised in Service Quotas first (docs/deploying.md#limits-checked-at-synth).`,
  );
}

/**
 * One JSON object per request: what operating the API needs (request id and time, route, status,
 * answer size, the Lambda's latency, API Gateway's own error), and never the path or query string
 * (RudderStack's beacon sends its write key as `?writeKey=`), headers or body. `sourceIp` only when
 * asked for.
 */
export function accessLogFormat(sourceIp: boolean): string {
  const fields = [
    '"requestId":"$context.requestId"',
    '"requestTime":"$context.requestTimeEpoch"',
    '"routeKey":"$context.routeKey"',
    '"status":"$context.status"',
    '"responseLength":"$context.responseLength"',
    '"integrationLatency":"$context.integrationLatency"',
    // messageString is the message already quoted and escaped, so the line stays valid JSON.
    '"error":{"message":$context.error.messageString}',
    ...(sourceIp ? ['"sourceIp":"$context.identity.sourceIp"'] : []),
  ];
  return `{${fields.join(',')}}`;
}

/** Segment's Pixel API (`{type}` is checked by the function) and RudderStack's two pixels. */
const PIXEL_PATHS = ['/v1/pixel/{type}', '/pixel/v1/track', '/pixel/v1/page'];
const REDIRECT_PATH = '/v1/r';

/**
 * Segment's endpoints (long and short forms, `/v1/m` for analytics-next's metrics, and the settings
 * analytics.js loads from its CDN URL, here the collector's), and RudderStack's.
 */
export const COLLECTOR_ROUTES: readonly { readonly method: apigwv2.HttpMethod; readonly path: string }[] = [
  ...[
    'track',
    'identify',
    'page',
    'screen',
    'group',
    'alias',
    'batch',
    'import',
    't',
    'i',
    'p',
    's',
    'g',
    'a',
    'b',
    'm',
  ].map((name) => ({ method: apigwv2.HttpMethod.POST, path: `/v1/${name}` })),
  { method: apigwv2.HttpMethod.POST, path: '/beacon/v1/batch' },
  { method: apigwv2.HttpMethod.GET, path: '/v1/projects/{writeKey}/settings' },
  { method: apigwv2.HttpMethod.GET, path: '/sourceConfig' },
  // Pixels (images in emails and pages): HEAD too, which link checkers send (answered, not recorded).
  ...PIXEL_PATHS.flatMap((path) =>
    [apigwv2.HttpMethod.GET, apigwv2.HttpMethod.HEAD].map((method) => ({ method, path })),
  ),
  // Link clicks: recorded, then redirected to a host the source's redirect.allowedHosts lists.
  { method: apigwv2.HttpMethod.GET, path: REDIRECT_PATH },
];

export interface IngestApiProps {
  /** Receives every route (payload format 2.0). */
  readonly handler: lambda.IFunction;
  /**
   * Origins allowed by CORS preflights.
   * @default - `INGEST_API_DEFAULTS.allowedOrigins` (any origin)
   */
  readonly allowedOrigins?: readonly string[];
  /**
   * Preflights allow credentials (`Access-Control-Allow-Credentials: true`), for sources that set
   * the identity cookie: browsers then send and store cookies. Needs explicit `allowedOrigins`:
   * API Gateway refuses credentials with a wildcard origin, and so does the constructor.
   * @default false
   */
  readonly allowCredentials?: boolean;
  /**
   * How long browsers may cache a preflight answer.
   * @default - `INGEST_API_DEFAULTS.corsMaxAgeSeconds`
   */
  readonly corsMaxAge?: Duration;
  /**
   * Steady-state requests per second for the whole stage. Above API Gateway's account quota
   * (10,000 requests/s per region, shared by every API) synth warns: the stage never reaches it.
   * @default - `INGEST_API_DEFAULTS.throttlingRateLimit`
   */
  readonly throttlingRateLimit?: number;
  /**
   * Requests the stage takes at once above the rate limit. Above the account quota (5,000) synth warns.
   * @default - `INGEST_API_DEFAULTS.throttlingBurstLimit`
   */
  readonly throttlingBurstLimit?: number;
  /**
   * Retention of the access log group.
   * @default - `INGEST_API_DEFAULTS.accessLogRetentionDays`
   */
  readonly accessLogRetention?: logs.RetentionDays;
  /**
   * Put the client's address (`sourceIp`) in each access log line. Off by default: an IP address is
   * personal data in many jurisdictions, and the other fields are enough to operate the API.
   * @default false
   */
  readonly accessLogSourceIp?: boolean;
  /**
   * Turns the generated `execute-api` URL off, so only a custom domain answers (give the API one,
   * e.g. with `IngestDomain`, or nothing reaches the collector).
   * @default - false: the `execute-api` URL answers too
   */
  readonly disableExecuteApiEndpoint?: boolean;
}

/**
 * The public ingest endpoint: an HTTP API with the collector's routes only, CORS preflights answered
 * by API Gateway, stage-wide throttling, and JSON access logs. Clients authenticate with write keys,
 * which the Lambda checks; there is no IAM or JWT authorizer by design.
 */
export class IngestApi extends Construct {
  readonly api: apigwv2.HttpApi;
  readonly stage: apigwv2.HttpStage;
  readonly accessLogs: logs.LogGroup;

  constructor(scope: Construct, id: string, props: IngestApiProps) {
    super(scope, id);
    const rateLimit = props.throttlingRateLimit ?? INGEST_API_DEFAULTS.throttlingRateLimit;
    const burstLimit = props.throttlingBurstLimit ?? INGEST_API_DEFAULTS.throttlingBurstLimit;
    if (!(rateLimit > 0 && burstLimit > 0)) {
      throw new Error('IngestApi: throttlingRateLimit and throttlingBurstLimit must be positive numbers');
    }
    warnAboveAccountQuota(this, rateLimit, burstLimit);
    const allowOrigins = [...(props.allowedOrigins ?? INGEST_API_DEFAULTS.allowedOrigins)];
    const wildcard = allowOrigins.find((origin) => origin.includes('*'));
    if (props.allowCredentials && wildcard !== undefined) {
      throw new Error(
        `IngestApi: allowCredentials (a source sets the identity cookie) needs explicit allowedOrigins, and "${wildcard}" is a wildcard: API Gateway refuses credentials with it, and browsers never send cookies to it. List each site instead, like https://www.example.com, in the allowedOrigins of every source (and cors.allowedOrigins if a source has none).`,
      );
    }

    this.api = new apigwv2.HttpApi(this, 'Api', {
      description: 'Segment-compatible event collector',
      createDefaultStage: false,
      disableExecuteApiEndpoint: props.disableExecuteApiEndpoint,
      corsPreflight: {
        allowOrigins,
        ...(props.allowCredentials ? { allowCredentials: true } : {}),
        // GET: RudderStack's browser SDK fetches /sourceConfig with an Authorization header, and
        // analytics.js its settings from /v1/projects/{writeKey}/settings.
        allowMethods: [
          apigwv2.CorsHttpMethod.POST,
          apigwv2.CorsHttpMethod.GET,
          apigwv2.CorsHttpMethod.OPTIONS,
        ],
        allowHeaders: [...CORS_ALLOWED_HEADERS],
        exposeHeaders: [...CORS_EXPOSED_HEADERS],
        maxAge: props.corsMaxAge ?? Duration.seconds(INGEST_API_DEFAULTS.corsMaxAgeSeconds),
      },
    });

    this.accessLogs = new logs.LogGroup(this, 'AccessLogs', {
      retention:
        props.accessLogRetention ?? (INGEST_API_DEFAULTS.accessLogRetentionDays as logs.RetentionDays),
    });
    this.stage = new apigwv2.HttpStage(this, 'DefaultStage', {
      httpApi: this.api,
      stageName: '$default',
      autoDeploy: true,
      throttle: { rateLimit, burstLimit },
      accessLogSettings: {
        destination: new apigwv2.LogGroupLogDestination(this.accessLogs),
        format: apigateway.AccessLogFormat.custom(accessLogFormat(props.accessLogSourceIp ?? false)),
      },
    });

    const integration = new HttpLambdaIntegration('Collector', props.handler, {
      payloadFormatVersion: apigwv2.PayloadFormatVersion.VERSION_2_0,
    });
    for (const route of COLLECTOR_ROUTES) {
      const [created] = this.api.addRoutes({ path: route.path, methods: [route.method], integration });
      if (created !== undefined) {
        Validations.of(created).acknowledge({
          id: 'AwsSolutions-APIG4',
          reason: PIXEL_PATHS.includes(route.path)
            ? 'Public by design: a pixel is an image in an email or a page, fetched by mail clients and browsers that can send no credentials but the write key in its URL, which the Lambda checks. Abuse is bounded by stage throttling.'
            : route.path === REDIRECT_PATH
              ? 'Public by design: a tracked link in an email or page is followed by any browser, which sends no credentials but the write key in the URL; the Lambda redirects only to hosts the source lists. Abuse is bounded by stage throttling.'
              : route.method === apigwv2.HttpMethod.GET
                ? 'Public by design: SDKs load their settings before sending anything and cannot sign IAM requests or fetch JWTs. The Lambda answers only for a write key a source owns (the key is public in every page that embeds it), with settings that name nothing but this collector; abuse is bounded by stage throttling.'
                : 'Public ingest API by design: browsers and apps send events with a Segment/RudderStack write key (Basic auth), which the Lambda checks against Secrets Manager; SDKs cannot sign IAM requests or fetch JWTs. Abuse is bounded by stage throttling.',
        });
      }
    }
  }

  /** The collector URL (the `$default` stage, so no stage path). */
  get url(): string {
    return this.api.apiEndpoint;
  }
}
