import { worstCaseValue } from './worst-case-value';

/**
 * The length IAM counts for a policy document (its JSON without white space), for a document as
 * `Stack.resolve` returns it: CloudFormation intrinsics are replaced by the longest values they can
 * take (lib/worst-case-value.ts), so a document that passes here also fits once deployed.
 */
export function iamPolicyLength(resolvedDocument: unknown): number {
  return JSON.stringify(worstCaseValue(resolvedDocument)).length;
}
