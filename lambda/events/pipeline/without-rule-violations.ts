import { type RedactionRules, rulesChange } from '../field-rules';
import type { PlanVerdict } from '../tracking-plan';

/**
 * `verdict`, passed when every violation is on a field `applied` rules changed: replayed failure
 * records already carry the source's field rules (a hashed `format: email` field), and a violation
 * the rules caused is not held against the event.
 */
export function withoutRuleViolations(
  verdict: PlanVerdict,
  applied: RedactionRules | undefined,
): PlanVerdict {
  if (applied === undefined || verdict.kind === 'pass') return verdict;
  const kept = verdict.violations.filter((violation) => !rulesChange(applied, violation.path));
  if (kept.length === verdict.violations.length) return verdict;
  if (kept.length === 0) return { kind: 'pass' };
  return verdict.kind === 'flag' ? { kind: 'flag', violations: kept } : verdict;
}
