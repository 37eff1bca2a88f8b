import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { cdkJsonContext } from './test-app';

/**
 * The template lookups the CDK tests repeat, in one place (as cdk-nag's rule tests keep theirs):
 * each fails with a message naming what it expected when the template does not hold exactly that,
 * so a test reads as its assertion.
 */

/** A resource's properties: free-form CloudFormation JSON, read by tests with `expect`. */
// biome-ignore lint/suspicious/noExplicitAny: CloudFormation properties are free-form JSON.
export type CfnProperties = Record<string, any>;

/** A resource of a synthesized template: what tests read of it. */
export interface TemplateResource {
  readonly Type: string;
  readonly Properties: CfnProperties;
  readonly DeletionPolicy?: string;
  readonly UpdateReplacePolicy?: string;
}

/** An IAM policy statement as CloudFormation holds it (strings or lists, intrinsics unresolved). */
export interface PolicyStatement {
  readonly Sid?: string;
  readonly Effect: 'Allow' | 'Deny';
  readonly Action?: unknown;
  readonly Resource?: unknown;
  readonly Principal?: unknown;
  readonly Condition?: Record<string, unknown>;
}

/**
 * A bare `Stack` in an app with cdk.json's context (its feature flags), for testing one construct
 * on its own as AWS Solutions Constructs do. Bundling is skipped: a `NodejsFunction` synthesizes
 * without esbuild.
 */
export function bareStack(context: Record<string, unknown> = {}): Stack {
  const app = new App({ context: { ...cdkJsonContext(), 'aws:cdk:bundling-stacks': [], ...context } });
  return new Stack(app, 'Test');
}

/**
 * A minimal HTTP API and its `$default` stage on `stack`, for the constructs that watch or map a
 * stage (alarms, dashboard, custom domain) without building the whole `IngestApi`.
 */
export function minimalHttpStage(stack: Stack): { api: apigwv2.HttpApi; stage: apigwv2.HttpStage } {
  const api = new apigwv2.HttpApi(stack, 'Api', { createDefaultStage: false });
  const stage = new apigwv2.HttpStage(stack, 'Stage', { httpApi: api, stageName: '$default' });
  return { api, stage };
}

/** Synthesizes a bare stack after `build` added the construct(s) under test to it. */
export function templateWith(build: (stack: Stack) => void, context?: Record<string, unknown>): Template {
  const stack = bareStack(context);
  build(stack);
  return Template.fromStack(stack);
}

/** Every resource of a type (whose properties match `properties`, when given), by logical id. */
export function resourcesOf(
  template: Template,
  type: string,
  properties?: CfnProperties,
): Record<string, TemplateResource> {
  return template.findResources(
    type,
    properties === undefined ? undefined : { Properties: properties },
  ) as Record<string, TemplateResource>;
}

/** The properties of every resource of a type. */
export function propertiesOf(template: Template, type: string): CfnProperties[] {
  return Object.values(resourcesOf(template, type)).map((resource) => resource.Properties);
}

/**
 * The only resource of a type (among those whose properties match `properties`, a `Match` pattern,
 * when given) and its logical id; throws naming the type and the count otherwise.
 */
export function onlyResource(
  template: Template,
  type: string,
  properties?: CfnProperties,
): TemplateResource & { readonly logicalId: string } {
  const entries = Object.entries(resourcesOf(template, type, properties));
  const [only] = entries;
  if (entries.length !== 1 || only === undefined)
    throw new Error(
      `expected one ${type}${properties === undefined ? '' : ' matching'}, found ${entries.length}`,
    );
  return { ...only[1], logicalId: only[0] };
}

/** The logical id of the only resource of a type (matching `properties`, when given). */
export function onlyLogicalId(template: Template, type: string, properties?: CfnProperties): string {
  return onlyResource(template, type, properties).logicalId;
}

/** The logical id of the only resource of a type whose id starts with `prefix` (the construct id). */
export function logicalIdStartingWith(template: Template, type: string, prefix: string): string {
  const ids = Object.keys(resourcesOf(template, type)).filter((id) => id.startsWith(prefix));
  const [only] = ids;
  if (ids.length !== 1 || only === undefined)
    throw new Error(`expected one ${type} whose logical id starts with ${prefix}, found ${ids.length}`);
  return only;
}

/**
 * The collector function's properties pattern: the only function whose environment has
 * `WRITE_KEYS_SECRET_ARN`, with or without a configuration document (`COLLECTOR_CONFIG` or
 * `COLLECTOR_CONFIG_FILE`); the write-keys provisioner has no environment.
 */
export const COLLECTOR_FUNCTION_PATTERN = Match.objectLike({
  Environment: { Variables: Match.objectLike({ WRITE_KEYS_SECRET_ARN: Match.anyValue() }) },
});

/** Picks the write-keys secret among the stack's secrets (a document may add a field-hash key). */
export const WRITE_KEYS_SECRET_PATTERN = Match.objectLike({
  Description: Match.stringLikeRegexp('^Write keys of the event collector'),
});

/** The environment variables of the template's collector function. */
export function lambdaEnvironment(template: Template): Record<string, unknown> {
  return (
    onlyResource(template, 'AWS::Lambda::Function', COLLECTOR_FUNCTION_PATTERN).Properties.Environment
      ?.Variables ?? {}
  );
}

/**
 * Every statement of every identity policy in the template: the inline policies of its roles and
 * its `AWS::IAM::Policy` resources.
 */
export function identityPolicyStatements(template: Template): PolicyStatement[] {
  const inline = Object.values(resourcesOf(template, 'AWS::IAM::Role')).flatMap((role) =>
    ((role.Properties.Policies ?? []) as { PolicyDocument: { Statement: PolicyStatement[] } }[]).flatMap(
      (policy) => policy.PolicyDocument.Statement,
    ),
  );
  const attached = propertiesOf(template, 'AWS::IAM::Policy').flatMap(
    (policy) => (policy.PolicyDocument as { Statement: PolicyStatement[] }).Statement,
  );
  return [...inline, ...attached];
}

/** The identity policy statement with this `Sid`; throws if there is none or several. */
export function statementWithSid(template: Template, sid: string): PolicyStatement {
  const found = identityPolicyStatements(template).filter((statement) => statement.Sid === sid);
  const [only] = found;
  if (found.length !== 1 || only === undefined)
    throw new Error(`expected one policy statement with Sid ${sid}, found ${found.length}`);
  return only;
}

/** The `Sid`s of every identity policy statement, in template order. */
export function statementSids(template: Template): (string | undefined)[] {
  return identityPolicyStatements(template).map((statement) => statement.Sid);
}

/** The properties of every CloudWatch alarm. */
export function alarmsOf(template: Template): CfnProperties[] {
  return propertiesOf(template, 'AWS::CloudWatch::Alarm');
}

/** The alarm whose description ends with this runbook link; throws if there is none or several. */
export function alarmLinking(template: Template, runbookLink: string): CfnProperties {
  const found = alarmsOf(template).filter((alarm) => String(alarm.AlarmDescription).endsWith(runbookLink));
  const [only] = found;
  if (found.length !== 1 || only === undefined)
    throw new Error(`expected one alarm linking ${runbookLink}, found ${found.length}`);
  return only;
}

/**
 * The body of the template's only dashboard as the JSON string CloudWatch receives (tokens joined
 * with `Fn::Join`, so the string is the template's own JSON of it).
 */
export function dashboardBody(template: Template): string {
  return JSON.stringify(onlyResource(template, 'AWS::CloudWatch::Dashboard').Properties.DashboardBody);
}
