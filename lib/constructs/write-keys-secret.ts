import { Validations } from 'aws-cdk-lib';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';

export interface WriteKeysSecretProps {
  /** The source whose write key is generated at deploy time. */
  readonly sourceId: string;
}

/**
 * The collector's write keys, kept out of the Lambda's environment. At creation the SecretString is
 * `{ "<sourceId>": "<generated 40-character key>" }`; operators may replace a value with an array of
 * keys (`{ "<sourceId>": ["<new>", "<old>"] }`) to rotate without downtime. The Lambda reads it once
 * per container (env `WRITE_KEYS_SECRET_ARN`).
 */
export class WriteKeysSecret extends Construct {
  readonly secret: secretsmanager.Secret;

  constructor(scope: Construct, id: string, props: WriteKeysSecretProps) {
    super(scope, id);
    this.secret = new secretsmanager.Secret(this, 'Secret', {
      description: 'Write keys of the event collector: {"<sourceId>": "<key>" | ["<key>", ...]}',
      generateSecretString: {
        secretStringTemplate: JSON.stringify({}),
        generateStringKey: props.sourceId,
        excludePunctuation: true,
        passwordLength: 40,
      },
    });
    Validations.of(this.secret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'Write keys are client identifiers that analytics SDKs embed in web pages and apps, not credentials of an AWS service: they cannot be rotated automatically without breaking every SDK that sends them. Rotate by adding a key to the source array, updating the SDKs, then removing the old key (docs/deploying.md).',
    });
  }
}
