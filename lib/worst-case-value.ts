/**
 * Stand-ins for CloudFormation values unknown at synth, as long as they can be deployed: the
 * longest partition name and a 12-digit account. Anything else unresolved counts as
 * {@link UNKNOWN_VALUE_LENGTH} characters.
 */
const WORST_CASE_REFS: Readonly<Record<string, string>> = {
  'AWS::Partition': 'aws-us-gov',
  'AWS::AccountId': '123456789012',
  'AWS::Region': 'ap-southeast-12',
  'AWS::URLSuffix': 'amazonaws.com.cn',
};

/** How long a resource reference or an attribute unknown at synth is taken to be. */
export const UNKNOWN_VALUE_LENGTH = 128;
const UNKNOWN_VALUE = 'x'.repeat(UNKNOWN_VALUE_LENGTH);

/**
 * A value as `Stack.resolve` returns it, with CloudFormation intrinsics replaced by the longest
 * values they can take (pseudo parameters by their longest value, `Fn::Join` joined, anything else
 * unresolved by {@link UNKNOWN_VALUE_LENGTH} characters): a size limit checked on it holds once
 * deployed. Shared by the IAM policy length and the Lambda environment size checks.
 */
export function worstCaseValue(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(worstCaseValue);
  if (value === null || typeof value !== 'object') return value;
  const entries = Object.entries(value as Record<string, unknown>);
  const [first] = entries;
  if (entries.length === 1 && first !== undefined) {
    const [key, argument] = first;
    if (key === 'Ref') return WORST_CASE_REFS[String(argument)] ?? UNKNOWN_VALUE;
    if (key === 'Fn::Join') {
      const [separator, parts] = argument as [string, unknown[]];
      return parts.map((part) => String(worstCaseValue(part))).join(separator);
    }
    if (key.startsWith('Fn::')) return UNKNOWN_VALUE;
  }
  return Object.fromEntries(entries.map(([key, item]) => [key, worstCaseValue(item)]));
}
