import type { Template } from 'aws-cdk-lib/assertions';
import type { DeployedValues } from './resolve-intrinsics';

export interface DeployedValuesOptions {
  readonly region: string;
  readonly accountId: string;
  /** Physical names by logical id (e.g. the names another stack's context points at); else the logical id. */
  readonly names?: Readonly<Record<string, string>>;
  /** Stack outputs the template reads (`Fn::GetStackOutput`), by output name. */
  readonly outputs?: Readonly<Record<string, string>>;
}

/** A KMS key id per key, deterministic, so two keys never share an ARN. */
const keyId = (index: number) => `0000000${index}-aaaa-4bbb-8ccc-dddddddddddd`.slice(-36);

/**
 * What CloudFormation would give every resource of `template` in `accountId`, `region` of the `aws`
 * partition: `Ref` and the ARN attributes of the resource types the stacks use, physical names
 * taken from `names` or the logical id (roles under their `Path`). Types with no entry here resolve
 * `Ref` to the logical id and have no attributes, so an intrinsic that needs one throws
 * (`resolveIntrinsics`) instead of guessing.
 */
export function deployedValuesOf(template: Template, options: DeployedValuesOptions): DeployedValues {
  const { region, accountId } = options;
  const arn = (service: string, resource: string, inRegion = region) =>
    `arn:aws:${service}:${inRegion}:${accountId}:${resource}`;
  const refs: Record<string, string> = {};
  const attributes: Record<string, string> = {};
  const resources = template.toJSON().Resources as Record<
    string,
    { Type: string; Properties?: Record<string, unknown> }
  >;
  let keys = 0;
  for (const [id, resource] of Object.entries(resources)) {
    const name = options.names?.[id] ?? id;
    switch (resource.Type) {
      case 'AWS::IAM::Role': {
        const rolePath = typeof resource.Properties?.Path === 'string' ? resource.Properties.Path : '/';
        refs[id] = name;
        attributes[`${id}.Arn`] = `arn:aws:iam::${accountId}:role${rolePath}${name}`;
        break;
      }
      case 'AWS::Kinesis::Stream':
        refs[id] = name;
        attributes[`${id}.Arn`] = arn('kinesis', `stream/${name}`);
        break;
      case 'AWS::KMS::Key':
        keys += 1;
        refs[id] = keyId(keys);
        attributes[`${id}.Arn`] = arn('kms', `key/${keyId(keys)}`);
        break;
      case 'AWS::SQS::Queue':
        refs[id] = `https://sqs.${region}.amazonaws.com/${accountId}/${name}`;
        attributes[`${id}.Arn`] = arn('sqs', name);
        attributes[`${id}.QueueName`] = name;
        break;
      case 'AWS::SNS::Topic':
        refs[id] = arn('sns', name);
        attributes[`${id}.TopicArn`] = arn('sns', name);
        break;
      case 'AWS::SecretsManager::Secret':
        refs[id] = arn('secretsmanager', `secret:${name}-AbCdEf`);
        break;
      case 'AWS::DynamoDB::Table':
        refs[id] = name;
        attributes[`${id}.Arn`] = arn('dynamodb', `table/${name}`);
        break;
      case 'AWS::Lambda::Function':
        refs[id] = name;
        attributes[`${id}.Arn`] = arn('lambda', `function:${name}`);
        break;
      case 'AWS::Logs::LogGroup':
        refs[id] = name;
        attributes[`${id}.Arn`] = arn('logs', `log-group:${name}:*`);
        break;
      case 'AWS::CloudWatch::Alarm':
        refs[id] = name;
        attributes[`${id}.Arn`] = arn('cloudwatch', `alarm:${name}`);
        break;
      case 'AWS::S3::Bucket':
        refs[id] = name.toLowerCase();
        attributes[`${id}.Arn`] = `arn:aws:s3:::${name.toLowerCase()}`;
        break;
      case 'AWS::KinesisFirehose::DeliveryStream':
        refs[id] = name;
        attributes[`${id}.Arn`] = arn('firehose', `deliverystream/${name}`);
        break;
      case 'AWS::ApiGatewayV2::Api':
        refs[id] = name.toLowerCase().slice(0, 10);
        attributes[`${id}.ApiEndpoint`] = `https://${refs[id]}.execute-api.${region}.amazonaws.com`;
        break;
      default:
        refs[id] = name;
    }
  }
  return {
    partition: 'aws',
    region,
    accountId,
    refs,
    attributes,
    ...(options.outputs === undefined ? {} : { outputs: options.outputs }),
  };
}
