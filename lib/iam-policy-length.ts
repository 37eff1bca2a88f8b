/**
 * Stand-ins for CloudFormation values unknown at synth, as long as they can be deployed: the
 * longest partition name and a 12-digit account. Anything else unresolved counts as 128 characters.
 */
const WORST_CASE_REFS: Readonly<Record<string, string>> = {
  'AWS::Partition': 'aws-us-gov',
  'AWS::AccountId': '123456789012',
  'AWS::Region': 'ap-southeast-12',
  'AWS::URLSuffix': 'amazonaws.com.cn',
};
const UNKNOWN_VALUE = 'x'.repeat(128);

function worstCase(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(worstCase);
  if (value === null || typeof value !== 'object') return value;
  const entries = Object.entries(value as Record<string, unknown>);
  const [first] = entries;
  if (entries.length === 1 && first !== undefined) {
    const [key, argument] = first;
    if (key === 'Ref') return WORST_CASE_REFS[String(argument)] ?? UNKNOWN_VALUE;
    if (key === 'Fn::Join') {
      const [separator, parts] = argument as [string, unknown[]];
      return parts.map((part) => String(worstCase(part))).join(separator);
    }
    if (key.startsWith('Fn::')) return UNKNOWN_VALUE;
  }
  return Object.fromEntries(entries.map(([key, item]) => [key, worstCase(item)]));
}

/**
 * The length IAM counts for a policy document (its JSON without white space), for a document as
 * `Stack.resolve` returns it: CloudFormation intrinsics are replaced by the longest values they can
 * take, so a document that passes here also fits once deployed.
 */
export function iamPolicyLength(resolvedDocument: unknown): number {
  return JSON.stringify(worstCase(resolvedDocument)).length;
}
