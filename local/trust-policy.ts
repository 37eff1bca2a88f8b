import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { addStacks } from '../lib/add-stacks';
import { readDeployConfig } from '../lib/config';
import { LOCAL_ACCOUNT_ID } from './local-account';

export { LOCAL_ACCOUNT_ID } from './local-account';

/** An IAM policy document with every CloudFormation token replaced by a concrete value. */
export interface PolicyDocument {
  readonly Version?: string;
  readonly Statement: readonly Record<string, unknown>[];
}

/** The writer role as the CDK app synthesizes it, resolved as if it were deployed. */
export interface SynthesizedWriterRole {
  /** The role's ARN, as the stack's `WriterRoleArn` output would show it once deployed. */
  readonly roleArn: string;
  /** The account the role lives in. */
  readonly accountId: string;
  /** `AssumeRolePolicyDocument` of the role: who may assume it, with which external IDs. */
  readonly trustPolicy: PolicyDocument;
  /** `MaxSessionDuration` of the role, in seconds. */
  readonly maxSessionSeconds: number;
}

export interface WriterRoleSynthOptions {
  /** External IDs the role trusts (context key `externalIds`). */
  readonly externalIds: readonly string[];
  /** The account trusted to assume the role (context key `collectorAccountId`). @default LOCAL_ACCOUNT_ID */
  readonly collectorAccountId?: string;
  /** The account the stream stack deploys into. @default LOCAL_ACCOUNT_ID */
  readonly accountId?: string;
  /** @default 'us-east-1' */
  readonly region?: string;
}

/** The synthesized template holds a token this module cannot turn into a value. */
export class UnresolvableTokenError extends Error {
  override readonly name = 'UnresolvableTokenError';
}

const PROJECT_ROOT = join(__dirname, '..');

interface CfnResource {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
}

/** The feature flags of cdk.json: `new App()` outside the CLI does not read them. */
function cdkJsonContext(): Record<string, unknown> {
  const cdkJson = JSON.parse(readFileSync(join(PROJECT_ROOT, 'cdk.json'), 'utf8')) as {
    context?: Record<string, unknown>;
  };
  return cdkJson.context ?? {};
}

/** Replaces the intrinsics a trust policy can hold (`Ref`, `Fn::Join`, `Fn::GetAtt ...Arn`). */
function resolve(value: unknown, values: Readonly<Record<string, string>>): unknown {
  if (Array.isArray(value)) return value.map((item) => resolve(item, values));
  if (value === null || typeof value !== 'object') return value;
  const entries = Object.entries(value as Record<string, unknown>);
  const [first] = entries;
  if (entries.length === 1 && first !== undefined) {
    const [key, argument] = first;
    if (key === 'Ref' || key === 'Fn::GetAtt') {
      const name = key === 'Ref' ? String(argument) : (argument as string[]).join('.');
      const found = values[name];
      if (found === undefined) throw new UnresolvableTokenError(`no value for ${key} ${name}`);
      return found;
    }
    if (key === 'Fn::Join') {
      const [separator, parts] = argument as [string, unknown[]];
      return parts.map((part) => String(resolve(part, values))).join(separator);
    }
    if (key.startsWith('Fn::')) throw new UnresolvableTokenError(`unsupported intrinsic ${key}`);
  }
  return Object.fromEntries(entries.map(([key, item]) => [key, resolve(item, values)]));
}

/**
 * Synthesizes the stream stack of the CDK app in-process (the `stream-account` topology, as the data
 * owner deploys it) and returns its writer role with every token resolved: the trust policy the
 * local STS decides with is the one `cdk deploy` would create, not a copy of it.
 */
export function synthesizeWriterRole(options: WriterRoleSynthOptions): SynthesizedWriterRole {
  const accountId = options.accountId ?? LOCAL_ACCOUNT_ID;
  const region = options.region ?? 'us-east-1';
  const app = new App({
    context: {
      ...cdkJsonContext(),
      'aws:cdk:bundling-stacks': [],
      collectorAccountId: options.collectorAccountId ?? LOCAL_ACCOUNT_ID,
      externalIds: [...options.externalIds],
    },
  });
  const { streamStack } = addStacks(
    app,
    readDeployConfig((key) => app.node.tryGetContext(key)),
  );
  if (streamStack === undefined) throw new Error('the CDK app synthesized no stream stack');
  const template = app.synth().getStackArtifact(streamStack.artifactId).template as {
    Resources: Record<string, CfnResource>;
  };
  const roles = Object.entries(template.Resources).filter(
    ([, resource]) => resource.Type === 'AWS::IAM::Role',
  );
  const [role, ...others] = roles;
  if (role === undefined || others.length > 0) {
    throw new Error(`expected one IAM role in the stream stack, found ${roles.length}`);
  }
  const [logicalId, resource] = role;
  const roleArn = `arn:aws:iam::${accountId}:role/${streamStack.stackName}-${logicalId}`;
  const values: Record<string, string> = {
    'AWS::Partition': 'aws',
    'AWS::AccountId': accountId,
    'AWS::Region': region,
    'AWS::URLSuffix': 'amazonaws.com',
    [`${logicalId}.Arn`]: roleArn,
  };
  const properties = resource.Properties ?? {};
  return {
    roleArn,
    accountId,
    trustPolicy: resolve(properties.AssumeRolePolicyDocument, values) as PolicyDocument,
    maxSessionSeconds: Number(properties.MaxSessionDuration ?? 3600),
  };
}
