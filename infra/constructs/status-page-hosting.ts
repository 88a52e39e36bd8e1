import { Aws, DockerImage, Duration, Validations } from 'aws-cdk-lib';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3deploy from 'aws-cdk-lib/aws-s3-deployment';
import { Construct, type IConstruct } from 'constructs';
import { buildWebSync, WEB_DIR } from '../../web/build.ts';
import { pageContentSecurityPolicy } from '../../web/headers.ts';

export interface StatusPageHostingProps {
  /**
   * Origins the page may call (CSP connect-src). Default: any API Gateway API of this region;
   * naming the one API would make a cycle (the API's CORS names this distribution).
   */
  readonly apiOrigins?: readonly string[];
}

/**
 * The status page (DESIGN.md section 11) as static files: a private, encrypted, SSL-only S3
 * bucket that only this CloudFront distribution may read (origin access control), HTTPS only,
 * with a response headers policy (CSP without inline script, HSTS, no framing). The page is
 * built by esbuild at synthesis, in process (no Docker, offline), and config.json carries the
 * API URL, written by the deployment.
 */
export class StatusPageHosting extends Construct {
  readonly bucket: s3.Bucket;
  readonly distribution: cloudfront.Distribution;
  readonly responseHeadersPolicy: cloudfront.ResponseHeadersPolicy;
  deployment: s3deploy.BucketDeployment | undefined;

  constructor(scope: Construct, id: string, props: StatusPageHostingProps = {}) {
    super(scope, id);
    this.bucket = new s3.Bucket(this, 'Files', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      versioned: false,
    });
    Validations.of(this.bucket).acknowledge({
      id: 'AwsSolutions-S1',
      reason:
        'Holds only the public build of the status page, written by the deployment and read only through CloudFront with origin access control; object access is not audited per request, CloudTrail records the writes.',
    });

    const apiOrigins = props.apiOrigins ?? [
      `https://*.execute-api.${Aws.REGION}.${Aws.URL_SUFFIX}`,
    ];
    this.responseHeadersPolicy = new cloudfront.ResponseHeadersPolicy(this, 'Headers', {
      comment: 'bucket-status page: CSP without inline script, HSTS, no framing',
      securityHeadersBehavior: {
        contentSecurityPolicy: {
          contentSecurityPolicy: pageContentSecurityPolicy(apiOrigins),
          override: true,
        },
        strictTransportSecurity: {
          accessControlMaxAge: Duration.days(365),
          includeSubdomains: true,
          override: true,
        },
        frameOptions: { frameOption: cloudfront.HeadersFrameOption.DENY, override: true },
        contentTypeOptions: { override: true },
        referrerPolicy: {
          referrerPolicy: cloudfront.HeadersReferrerPolicy.NO_REFERRER,
          override: true,
        },
      },
    });

    this.distribution = new cloudfront.Distribution(this, 'Cdn', {
      comment: 'bucket-status page',
      defaultRootObject: 'index.html',
      httpVersion: cloudfront.HttpVersion.HTTP2_AND_3,
      priceClass: cloudfront.PriceClass.PRICE_CLASS_100,
      defaultBehavior: {
        origin: origins.S3BucketOrigin.withOriginAccessControl(this.bucket),
        viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.HTTPS_ONLY,
        allowedMethods: cloudfront.AllowedMethods.ALLOW_GET_HEAD,
        cachePolicy: cloudfront.CachePolicy.CACHING_OPTIMIZED,
        responseHeadersPolicy: this.responseHeadersPolicy,
        compress: true,
      },
    });
    acknowledge(this.distribution, {
      'AwsSolutions-CFR1':
        'The status page is for the platform users wherever they are; access is decided by the bearer token at the API, so there is nothing to restrict by country.',
      'AwsSolutions-CFR2':
        'Static files only: every request that matters goes to the API, which is throttled per stage; put a WAF web ACL in front of both when the deployment needs one (docs/DEPLOY.md).',
      'AwsSolutions-CFR3':
        'Static, public files of the page: CloudFront standard logs need an ACL-enabled log bucket; API requests are logged by the HTTP API access log, which is where a user is identified.',
      'AwsSolutions-CFR4':
        'The default *.cloudfront.net certificate allows TLSv1 on the viewer side; browsers negotiate TLS 1.2 or 1.3 anyway; a custom domain with an ACM certificate and TLSv1.2_2021 lifts it (docs/DEPLOY.md).',
    });
  }

  /**
   * Uploads the page and its config.json ({ apiUrl }) at every deployment and invalidates the
   * distribution. Separate from the constructor: the API's CORS names this distribution first.
   */
  deployPage(apiUrl: string): s3deploy.BucketDeployment {
    if (this.deployment !== undefined) throw new Error('the page is deployed once');
    this.deployment = new s3deploy.BucketDeployment(this, 'Deploy', {
      destinationBucket: this.bucket,
      sources: [
        s3deploy.Source.asset(WEB_DIR, {
          exclude: ['dist'],
          // Built by esbuild in this process, exactly as `npm run build:web`: no Docker.
          bundling: {
            image: DockerImage.fromRegistry('unused-built-locally'),
            local: {
              tryBundle(outputDir: string) {
                buildWebSync(outputDir);
                return true;
              },
            },
          },
        }),
        s3deploy.Source.jsonData('config.json', { apiUrl }),
      ],
      cacheControl: [s3deploy.CacheControl.noCache()],
      prune: true,
      distribution: this.distribution,
      distributionPaths: ['/*'],
      memoryLimit: 256,
    });
    const handler = deploymentHandler(this);
    if (handler !== undefined) {
      acknowledge(handler, {
        'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]':
          "CDK's BucketDeployment custom resource: its singleton function writes its own logs with AWSLambdaBasicExecutionRole, and runs only during deployments.",
        'AwsSolutions-IAM5[Action::s3:GetBucket*]': COPY_REASON,
        'AwsSolutions-IAM5[Action::s3:GetObject*]': COPY_REASON,
        'AwsSolutions-IAM5[Action::s3:List*]': COPY_REASON,
        'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::cdk-hnb659fds-assets-<AWS::AccountId>-<AWS::Region>/*]':
          COPY_REASON,
        'AwsSolutions-IAM5[Action::s3:Abort*]': WRITE_REASON,
        'AwsSolutions-IAM5[Action::s3:DeleteObject*]': WRITE_REASON,
        'AwsSolutions-IAM5[Resource::<StatusPageFilesDCD043BC.Arn>/*]': WRITE_REASON,
        'AwsSolutions-IAM5[Resource::*]':
          "CDK's BucketDeployment custom resource invalidates the page's distribution after an upload; CloudFront's CreateInvalidation and GetInvalidation take no resource-level permissions narrower than this in CDK's grant.",
        'AwsSolutions-L1':
          "CDK's BucketDeployment custom resource pins its own Python runtime with the AWS CLI layer; it is upgraded with aws-cdk-lib, not by this stack.",
        'Serverless-LambdaDLQ':
          'A CloudFormation custom resource: CloudFormation invokes it and waits for its answer, so a failure fails the deployment visibly; there is no event to park.',
        'Serverless-LambdaLatestVersion':
          "CDK's BucketDeployment custom resource pins its own Python runtime; it is upgraded with aws-cdk-lib.",
        'Serverless-LambdaTracing':
          'A deployment-time custom resource: tracing it would add cost and no insight into the service.',
      });
    }
    return this.deployment;
  }

  /** https://<distribution domain>: the page's origin, allowed by the API's CORS. */
  get origin(): string {
    return `https://${this.distribution.distributionDomainName}`;
  }

  get url(): string {
    return `https://${this.distribution.distributionDomainName}/`;
  }
}

const COPY_REASON =
  "CDK's BucketDeployment custom resource reads the page's asset zip from the CDK asset bucket (grantRead: s3:GetObject*, s3:GetBucket*, s3:List* on the bucket and its objects); it runs only during deployments.";
const WRITE_REASON =
  "CDK's BucketDeployment custom resource writes the page into its bucket and prunes old files (grantReadWrite on every object of that one bucket); it runs only during deployments.";

function acknowledge(scope: IConstruct, reasons: Record<string, string>): void {
  for (const [id, reason] of Object.entries(reasons))
    Validations.of(scope).acknowledge({ id, reason });
}

/** The singleton Lambda function of CDK's BucketDeployment (created at stack level). */
function deploymentHandler(scope: Construct): IConstruct | undefined {
  const stack = scope.node.scopes[1] ?? scope.node.root;
  return stack.node.children.find((child) =>
    child.node.id.startsWith('Custom::CDKBucketDeployment'),
  );
}
