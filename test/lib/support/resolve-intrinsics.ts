import type { Template } from 'aws-cdk-lib/assertions';

/** Concrete values for everything a synthesized template leaves to CloudFormation. */
export interface DeployedValues {
  readonly partition: string;
  readonly region: string;
  readonly accountId: string;
  /** `Ref` of a resource, by logical id. */
  readonly refs: Readonly<Record<string, string>>;
  /** `Fn::GetAtt` by `logicalId.Attribute`. */
  readonly attributes: Readonly<Record<string, string>>;
  /** `Fn::GetStackOutput` / `Fn::ImportValue` by output or export name. */
  readonly outputs?: Readonly<Record<string, string>>;
}

/** This test cannot resolve an intrinsic; add its value to {@link DeployedValues}. */
export class UnresolvedIntrinsicError extends Error {
  override readonly name = 'UnresolvedIntrinsicError';
}

/**
 * Replaces `Ref`, `Fn::GetAtt`, `Fn::Join`, `Fn::Sub` (without variables map), `Fn::GetStackOutput`
 * and `Fn::ImportValue` with concrete strings, as CloudFormation would at deploy time, so IAM
 * policies can be evaluated offline. Unknown references throw rather than guess.
 */
export function resolveIntrinsics(value: unknown, values: DeployedValues): unknown {
  if (Array.isArray(value)) return value.map((item) => resolveIntrinsics(item, values));
  if (value === null || typeof value !== 'object') return value;
  const entries = Object.entries(value as Record<string, unknown>);
  const [first] = entries;
  if (entries.length === 1 && first !== undefined) {
    const [key, argument] = first;
    const str = (v: unknown): string => {
      const resolved = resolveIntrinsics(v, values);
      if (typeof resolved !== 'string')
        throw new UnresolvedIntrinsicError(`not a string: ${JSON.stringify(v)}`);
      return resolved;
    };
    switch (key) {
      case 'Ref':
        return refOf(String(argument), values);
      case 'Fn::GetAtt': {
        const [logicalId, attribute] = argument as [string, string];
        const found = values.attributes[`${logicalId}.${attribute}`];
        if (found === undefined)
          throw new UnresolvedIntrinsicError(`no value for GetAtt ${logicalId}.${attribute}`);
        return found;
      }
      case 'Fn::Join': {
        const [separator, parts] = argument as [string, unknown[]];
        return parts.map(str).join(separator);
      }
      case 'Fn::Sub':
        return String(argument).replace(/\$\{([^}]+)\}/g, (_, name: string) =>
          name.includes('.') ? str({ 'Fn::GetAtt': name.split('.') }) : refOf(name, values),
        );
      case 'Fn::GetStackOutput':
      case 'Fn::ImportValue': {
        const name =
          key === 'Fn::ImportValue' ? str(argument) : str((argument as { OutputName: unknown }).OutputName);
        const found = values.outputs?.[name];
        if (found === undefined) throw new UnresolvedIntrinsicError(`no value for stack output ${name}`);
        return found;
      }
      default:
        if (key.startsWith('Fn::')) throw new UnresolvedIntrinsicError(`unsupported intrinsic ${key}`);
    }
  }
  return Object.fromEntries(entries.map(([key, item]) => [key, resolveIntrinsics(item, values)]));
}

function refOf(name: string, values: DeployedValues): string {
  switch (name) {
    case 'AWS::Partition':
      return values.partition;
    case 'AWS::Region':
      return values.region;
    case 'AWS::AccountId':
      return values.accountId;
    case 'AWS::URLSuffix':
      return 'amazonaws.com';
    default: {
      const found = values.refs[name];
      if (found === undefined) throw new UnresolvedIntrinsicError(`no value for Ref ${name}`);
      return found;
    }
  }
}

/** Every output of a template, resolved: feeds `outputs` of the stack that references them. */
export function resolvedOutputs(template: Template, values: DeployedValues): Record<string, string> {
  const outputs = template.toJSON().Outputs as Record<string, { Value: unknown }> | undefined;
  return Object.fromEntries(
    Object.entries(outputs ?? {}).map(([name, output]) => [
      name,
      String(resolveIntrinsics(output.Value, values)),
    ]),
  );
}

export interface IamPolicy {
  readonly Version?: string;
  readonly Statement: readonly Record<string, unknown>[];
}

/** A role's trust policy and every identity policy attached to it (inline or `AWS::IAM::Policy`). */
export function policiesOfRole(
  template: Template,
  roleLogicalId: string,
): { trustPolicy: IamPolicy; identityPolicies: { name: string; policy: IamPolicy }[]; managed: unknown[] } {
  const role = template.toJSON().Resources[roleLogicalId] as {
    Properties: {
      AssumeRolePolicyDocument: IamPolicy;
      Policies?: { PolicyName: string; PolicyDocument: IamPolicy }[];
      ManagedPolicyArns?: unknown[];
    };
  };
  const attached = Object.entries(template.findResources('AWS::IAM::Policy'))
    .filter(([, resource]) =>
      (resource.Properties.Roles as unknown[]).some(
        (entry) => JSON.stringify(entry) === JSON.stringify({ Ref: roleLogicalId }),
      ),
    )
    .map(([id, resource]) => ({ name: id, policy: resource.Properties.PolicyDocument as IamPolicy }));
  return {
    trustPolicy: role.Properties.AssumeRolePolicyDocument,
    identityPolicies: [
      ...(role.Properties.Policies ?? []).map((inline) => ({
        name: inline.PolicyName,
        policy: inline.PolicyDocument,
      })),
      ...attached,
    ],
    managed: role.Properties.ManagedPolicyArns ?? [],
  };
}
