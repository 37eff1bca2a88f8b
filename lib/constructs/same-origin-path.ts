import { Fn, type SecretValue, Token } from 'aws-cdk-lib';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import { Construct } from 'constructs';
import { ORIGIN_SECRET_HEADER } from '../../lambda/contract/same-origin';
import { SAME_ORIGIN_PREFIX_PATTERN } from '../config/context-patterns';
import { stripPathPrefixFunctionCode } from './strip-path-prefix-function';

/** The host of an `https://host[/path]` URL, as a token when the URL is one (an `HttpApi`'s `apiEndpoint`). */
export function hostOfUrl(url: string): string {
  return Token.isUnresolved(url) ? Fn.select(2, Fn.split('/', url)) : new URL(url).host;
}

/**
 * The path patterns the collector needs on the site's distribution: `<prefix>/v1/*` (Segment's
 * routes, pixels, settings, redirect) and the routes of RudderStack's SDK outside `/v1/`: its pixel
 * `<prefix>/pixel/v1/*`, its `sendBeacon` batch `<prefix>/beacon/v1/*` and its settings
 * `<prefix>/sourceConfig*` (`/sourceConfig` and `/sourceConfig/`). Together they cover every route of
 * the collector's API (`COLLECTOR_ROUTES`) and leave the rest of the site's paths to the site.
 */
export function sameOriginPathPatterns(pathPrefix: string): readonly string[] {
  return [
    `${pathPrefix}/v1/*`,
    `${pathPrefix}/pixel/v1/*`,
    `${pathPrefix}/beacon/v1/*`,
    `${pathPrefix}/sourceConfig*`,
  ];
}

export interface SameOriginPathProps {
  /**
   * The site's own distribution, in the site's CDK app: the behavior is added to it. A distribution
   * created outside CDK cannot be given (CloudFormation cannot add a behavior to it): add the
   * settings docs/deploying.md lists by hand there.
   */
  readonly distribution: cloudfront.Distribution;
  /**
   * Where the collector answers on the site, like `/collect`: SDKs then send to
   * `https://<site>/collect/v1/...`. Known at synth; one or more segments, no trailing slash.
   */
  readonly pathPrefix: string;
  /**
   * The collector API's host name: the `execute-api` host (`hostOfUrl(api.apiEndpoint)`, or the
   * collector stack's `SameOriginOriginDomain` output) or its custom domain.
   */
  readonly apiDomainName: string;
  /**
   * The value of the origin header (`x-collector-origin-secret`) the distribution adds to every
   * request it forwards; the collector function holds the same value (env `SAME_ORIGIN_SECRET`) and
   * only then trusts `CloudFront-Viewer-Address`. Pass the collector stack's origin secret,
   * `SecretValue.secretsManager(<SameOriginSecretArn output>)`: it is resolved at deploy.
   */
  readonly originSecret: SecretValue;
}

/**
 * Serves the collector under the site's own origin: behaviors `<pathPrefix>/v1/*`, and
 * `/pixel/v1/*`, `/beacon/v1/*`, `/sourceConfig*` under the prefix for RudderStack's SDK
 * ({@link sameOriginPathPatterns}), on the site's CloudFront distribution, each forwarding to the
 * collector's HTTP API with no caching (`CachingDisabled`), every viewer header but `Host`, every
 * cookie and query string (`AllViewerExceptHostHeader`), every method, HTTPS only to viewer and
 * origin (TLS 1.2), a CloudFront Function that removes the prefix before API Gateway, and the secret
 * origin header.
 * Cookies the collector sets are then first-party in every browser, and blockers see the site's own
 * host (docs/deploying.md "Same-origin path").
 */
export class SameOriginPath extends Construct {
  /** `<pathPrefix>/v1/*`, the first of {@link pathPatterns}. */
  readonly pathPattern: string;
  /** Every behavior's path pattern, in the order they were added ({@link sameOriginPathPatterns}). */
  readonly pathPatterns: readonly string[];
  /** The viewer-request function that removes the prefix. */
  readonly function: cloudfront.Function;
  readonly origin: origins.HttpOrigin;

  constructor(scope: Construct, id: string, props: SameOriginPathProps) {
    super(scope, id);
    const { pathPrefix } = props;
    if (Token.isUnresolved(pathPrefix) || !SAME_ORIGIN_PREFIX_PATTERN.test(pathPrefix)) {
      throw new Error(
        `SameOriginPath: "${pathPrefix}" is not a path prefix; use one known at synth, like /collect (a leading slash, letters, digits, . _ ~ -, no trailing slash)`,
      );
    }
    if (pathPrefix === '/v1' || pathPrefix.startsWith('/v1/')) {
      throw new Error(
        `SameOriginPath: "${pathPrefix}" starts with /v1, the collector's own path; choose another prefix, like /collect`,
      );
    }
    this.pathPatterns = sameOriginPathPatterns(pathPrefix);
    this.pathPattern = this.pathPatterns[0] as string;
    this.function = new cloudfront.Function(this, 'StripPrefix', {
      comment: `Removes ${pathPrefix} before the collector's API`,
      code: cloudfront.FunctionCode.fromInline(stripPathPrefixFunctionCode(pathPrefix)),
      runtime: cloudfront.FunctionRuntime.JS_2_0,
    });
    this.origin = new origins.HttpOrigin(props.apiDomainName, {
      protocolPolicy: cloudfront.OriginProtocolPolicy.HTTPS_ONLY,
      originSslProtocols: [cloudfront.OriginSslPolicy.TLS_V1_2],
      // CloudFront replaces a viewer's header of the same name with this value.
      customHeaders: { [ORIGIN_SECRET_HEADER]: props.originSecret.unsafeUnwrap() },
    });
    const behavior: cloudfront.AddBehaviorOptions = {
      allowedMethods: cloudfront.AllowedMethods.ALLOW_ALL,
      cachedMethods: cloudfront.CachedMethods.CACHE_GET_HEAD,
      cachePolicy: cloudfront.CachePolicy.CACHING_DISABLED,
      originRequestPolicy: cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
      // A redirect would turn an SDK's POST into a GET; plain http is refused instead.
      viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.HTTPS_ONLY,
      compress: false,
      functionAssociations: [
        { function: this.function, eventType: cloudfront.FunctionEventType.VIEWER_REQUEST },
      ],
    };
    // One origin, one function: the behaviors differ only by their path pattern.
    for (const pattern of this.pathPatterns) props.distribution.addBehavior(pattern, this.origin, behavior);
  }
}
