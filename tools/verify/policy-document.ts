/** One statement of an IAM policy document, as JSON has it (every field optional). */
export interface PolicyStatement {
  readonly Effect?: string;
  readonly Action?: string | readonly string[];
  readonly Resource?: string | readonly string[];
  readonly Principal?: string | Readonly<Record<string, string | readonly string[]>>;
  readonly Condition?: Readonly<Record<string, Readonly<Record<string, string | readonly string[]>>>>;
}

/** A value or a list of values, as policies write both, as a list. */
export const listOf = (value: string | readonly string[] | undefined): readonly string[] =>
  value === undefined ? [] : typeof value === 'string' ? [value] : value;

/** The statements of a policy document (JSON); none when it is not one. */
export function statementsOf(policyJson: string | undefined): PolicyStatement[] {
  if (policyJson === undefined) return [];
  try {
    const { Statement } = JSON.parse(policyJson) as { Statement?: PolicyStatement | PolicyStatement[] };
    return Statement === undefined ? [] : Array.isArray(Statement) ? Statement : [Statement];
  } catch {
    return [];
  }
}

/** Whether an IAM pattern (`*` and `?` wildcards) matches a value; `caseless` for actions. */
export function iamMatches(pattern: string, value: string, caseless = false): boolean {
  const escaped = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${escaped}$`, caseless ? 'i' : '').test(value);
}

/** Whether the statement's `Action` covers `action` (e.g. `sns:Publish` by `sns:*`). */
export const allowsAction = (statement: PolicyStatement, action: string): boolean =>
  listOf(statement.Action).some((pattern) => iamMatches(pattern, action, true));

/** The statement's principals of one kind (`AWS`, `Service`); `*` for `"Principal": "*"`. */
export function principalsOf(statement: PolicyStatement, kind: 'AWS' | 'Service'): readonly string[] {
  const { Principal } = statement;
  if (Principal === undefined) return [];
  if (typeof Principal === 'string') return [Principal];
  return listOf(Principal[kind]);
}

/** The values a condition key is tested against under any of these operators (key compared caselessly). */
export function conditionValues(
  statement: PolicyStatement,
  operators: readonly string[],
  key: string,
): string[] {
  const values: string[] = [];
  for (const [operator, tests] of Object.entries(statement.Condition ?? {})) {
    if (!operators.includes(operator)) continue;
    for (const [name, value] of Object.entries(tests)) {
      if (name.toLowerCase() === key.toLowerCase()) values.push(...listOf(value));
    }
  }
  return values;
}
