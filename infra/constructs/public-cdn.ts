import { Aws, Duration, Validations } from 'aws-cdk-lib';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import { Construct, type IConstruct } from 'constructs';

/** How a public route is cached at the edge: its path pattern, query parameters and TTL. */
export interface PublicCacheRule {
  /** The CloudFront path pattern (the token is the `*`). */
  readonly pathPattern: string;
  /** The query parameters the route reads: the only ones in the cache key (and forwarded). */
  readonly queryStrings: readonly string[];
  /** Seconds: the route's `Cache-Control: public, max-age` (DESIGN.md section 17). */
  readonly ttlSeconds: number;
}

/**
 * The public routes (DESIGN.md section 17) and how they are cached: by path (the token is in
 * it), plus the query parameters each route uses, for as long as its `max-age`.
 */
export const PUBLIC_CACHE_RULES: readonly PublicCacheRule[] = [
  { pathPattern: '/public/*/status', queryStrings: [], ttlSeconds: 30 },
  { pathPattern: '/public/*/uptime', queryStrings: ['days'], ttlSeconds: 30 },
  { pathPattern: '/public/*/health', queryStrings: [], ttlSeconds: 30 },
  { pathPattern: '/public/*/health/events', queryStrings: ['limit', 'cursor'], ttlSeconds: 30 },
  { pathPattern: '/public/*/badge.svg', queryStrings: ['show', 'days'], ttlSeconds: 60 },
];

export interface PublicCdnProps {
  /** The HTTP API's id: the origin is its `$default` stage. */
  readonly apiId: string;
}

/**
 * The public routes of share tokens, served through CloudFront (DESIGN.md section 17): a
 * distribution whose behaviours forward only GET/HEAD of `/public/*` to the API, each cached by
 * its path and the query parameters its route reads, for the route's max-age, so a popular page
 * costs reads per edge location and TTL, not per viewer. Nothing else of the API is reachable
 * through it (the default behaviour answers 403 from an origin that has nothing). CloudFront
 * standard logs are off: a path carries a token.
 *
 * A distribution of its own, not a behaviour of the status page's: the API's CORS names the
 * page's distribution, so that distribution cannot have the API as an origin (a cycle).
 */
export class PublicCdn extends Construct {
  readonly distribution: cloudfront.Distribution;
  readonly cachePolicies: Record<string, cloudfront.CachePolicy> = {};

  constructor(scope: Construct, id: string, props: PublicCdnProps) {
    super(scope, id);
    const api = new origins.HttpOrigin(
      `${props.apiId}.execute-api.${Aws.REGION}.${Aws.URL_SUFFIX}`,
      {
        protocolPolicy: cloudfront.OriginProtocolPolicy.HTTPS_ONLY,
        originSslProtocols: [cloudfront.OriginSslPolicy.TLS_V1_2],
      },
    );
    // The token is the credential, not the origin: any site may embed a badge or read a status.
    const headers = new cloudfront.ResponseHeadersPolicy(this, 'Headers', {
      comment: 'bucket-status public routes: CORS for any origin',
      corsBehavior: {
        accessControlAllowOrigins: ['*'],
        accessControlAllowMethods: ['GET', 'HEAD'],
        accessControlAllowHeaders: ['If-None-Match'],
        accessControlExposeHeaders: ['ETag'],
        accessControlAllowCredentials: false,
        originOverride: true,
      },
    });
    const behaviours: Record<string, cloudfront.BehaviorOptions> = {};
    PUBLIC_CACHE_RULES.forEach((rule, index) => {
      const ttl = Duration.seconds(rule.ttlSeconds);
      const policy = new cloudfront.CachePolicy(this, `Cache${index}`, {
        comment: `bucket-status ${rule.pathPattern}: path${
          rule.queryStrings.length > 0 ? ` and ${rule.queryStrings.join(', ')}` : ''
        }, ${rule.ttlSeconds} s`,
        defaultTtl: ttl,
        maxTtl: ttl,
        minTtl: Duration.seconds(0),
        queryStringBehavior:
          rule.queryStrings.length > 0
            ? cloudfront.CacheQueryStringBehavior.allowList(...rule.queryStrings)
            : cloudfront.CacheQueryStringBehavior.none(),
        headerBehavior: cloudfront.CacheHeaderBehavior.none(),
        cookieBehavior: cloudfront.CacheCookieBehavior.none(),
        enableAcceptEncodingGzip: true,
        enableAcceptEncodingBrotli: true,
      });
      this.cachePolicies[rule.pathPattern] = policy;
      behaviours[rule.pathPattern] = {
        origin: api,
        viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.HTTPS_ONLY,
        allowedMethods: cloudfront.AllowedMethods.ALLOW_GET_HEAD,
        cachedMethods: cloudfront.CachedMethods.CACHE_GET_HEAD,
        cachePolicy: policy,
        responseHeadersPolicy: headers,
        compress: true,
      };
    });
    this.distribution = new cloudfront.Distribution(this, 'Cdn', {
      comment: 'bucket-status public routes (share tokens)',
      httpVersion: cloudfront.HttpVersion.HTTP2_AND_3,
      priceClass: cloudfront.PriceClass.PRICE_CLASS_100,
      enableLogging: false,
      // Anything but the public routes: an origin with no such path (API Gateway's 404).
      defaultBehavior: {
        origin: api,
        viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.HTTPS_ONLY,
        allowedMethods: cloudfront.AllowedMethods.ALLOW_GET_HEAD,
        cachePolicy: cloudfront.CachePolicy.CACHING_DISABLED,
      },
      additionalBehaviors: behaviours,
    });
    acknowledge(this.distribution, {
      'AwsSolutions-CFR1':
        'Public status and badges of share links are meant for anyone the owner gives the link to, wherever they are.',
      'AwsSolutions-CFR2':
        'The API behind it is throttled per stage and every public answer is cached at the edge for 30-60 s; put a WAF web ACL in front when the deployment needs one (docs/DEPLOY.md).',
      'AwsSolutions-CFR3':
        'CloudFront standard logs record the path, and a public path carries the share token (DESIGN.md section 17: no log carries one); the HTTP API access log records the route key instead.',
      'AwsSolutions-CFR4':
        'The default *.cloudfront.net certificate allows TLSv1 on the viewer side; browsers negotiate TLS 1.2 or 1.3 anyway; a custom domain with an ACM certificate and TLSv1.2_2021 lifts it (docs/DEPLOY.md).',
    });
  }

  /** https://<distribution domain>: the base URL of the public routes. */
  get url(): string {
    return `https://${this.distribution.distributionDomainName}`;
  }
}

function acknowledge(scope: IConstruct, reasons: Record<string, string>): void {
  for (const [id, reason] of Object.entries(reasons))
    Validations.of(scope).acknowledge({ id, reason });
}
