import { RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';

/**
 * The value the site's distribution sends in the same-origin path's origin header, and the collector
 * function checks before it trusts `CloudFront-Viewer-Address`: a generated Secrets Manager secret
 * (48 letters and digits), read by CloudFormation at deploy (a dynamic reference) into both the
 * function's environment and the site's distribution. Neither reads it at run time.
 */
export class SameOriginSecret extends Construct {
  readonly secret: secretsmanager.Secret;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.secret = new secretsmanager.Secret(this, 'Secret', {
      description:
        "The collector's same-origin path: the origin header value the site's CloudFront distribution sends",
      generateSecretString: { passwordLength: 48, excludePunctuation: true },
      // Only a header value both stacks copy at deploy: deleting it loses nothing a redeploy does not make again.
      removalPolicy: RemovalPolicy.DESTROY,
    });
    Validations.of(this.secret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        "CloudFormation copies the value at deploy into the collector function's environment and the site's distribution (dynamic references), which a rotation Lambda would not update: rotate by putting a new value, then updating the function and the distribution so CloudFormation resolves it again (docs/deploying.md, same-origin path).",
    });
  }
}
