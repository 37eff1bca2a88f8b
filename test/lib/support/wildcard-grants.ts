import type { Template } from 'aws-cdk-lib/assertions';

/** One statement that allows a wildcard action or resource, and where it is. */
export interface WildcardGrant {
  /** `Role/<logicalId>/<policy name>` or `Policy/<logicalId>`. */
  readonly where: string;
  readonly sid?: string;
  readonly field: 'Action' | 'NotAction' | 'Resource' | 'NotResource';
  readonly value: string;
}

interface Statement {
  readonly Sid?: string;
  readonly Effect?: string;
  readonly Action?: unknown;
  readonly NotAction?: unknown;
  readonly Resource?: unknown;
  readonly NotResource?: unknown;
}

/** A statement field as a list: IAM takes a string or a list of strings. */
const asList = (value: unknown): unknown[] =>
  value === undefined ? [] : Array.isArray(value) ? value : [value];

/** Whether a value grants more than it names: `*` anywhere in an action, a resource that is `*`. */
function isWildcard(field: WildcardGrant['field'], value: unknown): boolean {
  if (field === 'NotAction' || field === 'NotResource') return true;
  if (typeof value !== 'string') return false;
  return field === 'Action' ? value.includes('*') : value === '*';
}

/**
 * Every Allow statement of every identity policy in the template (inline role policies and
 * `AWS::IAM::Policy`) that grants a wildcard action (`kinesis:*`, `*`, in a string or a list), a
 * wildcard resource, or uses `NotAction`/`NotResource` (which allow everything else).
 */
export function wildcardGrants(template: Template): WildcardGrant[] {
  const documents: { where: string; statements: Statement[] }[] = [
    ...Object.entries(template.findResources('AWS::IAM::Role')).flatMap(([id, role]) =>
      (
        (role.Properties.Policies ?? []) as {
          PolicyName: string;
          PolicyDocument: { Statement: Statement[] };
        }[]
      ).map((policy) => ({
        where: `Role/${id}/${policy.PolicyName}`,
        statements: policy.PolicyDocument.Statement,
      })),
    ),
    ...Object.entries(template.findResources('AWS::IAM::Policy')).map(([id, policy]) => ({
      where: `Policy/${id}`,
      statements: (policy.Properties.PolicyDocument as { Statement: Statement[] }).Statement,
    })),
  ];
  return documents.flatMap(({ where, statements }) =>
    statements
      .filter((statement) => statement.Effect === 'Allow')
      .flatMap((statement) =>
        (['Action', 'NotAction', 'Resource', 'NotResource'] as const).flatMap((field) =>
          asList(statement[field])
            .filter((value) => isWildcard(field, value))
            .map((value) => ({
              where,
              ...(statement.Sid === undefined ? {} : { sid: statement.Sid }),
              field,
              value: typeof value === 'string' ? value : JSON.stringify(value),
            })),
        ),
      ),
  );
}

/** How many identity policy documents the template holds (so "no wildcard" is not vacuous). */
export function policyDocumentCount(template: Template): number {
  return (
    Object.values(template.findResources('AWS::IAM::Role')).reduce(
      (sum, role) => sum + ((role.Properties.Policies ?? []) as unknown[]).length,
      0,
    ) + Object.keys(template.findResources('AWS::IAM::Policy')).length
  );
}
