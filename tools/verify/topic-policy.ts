import { allowsAction, iamMatches, listOf, principalsOf, statementsOf } from './policy-document';

/**
 * Whether a topic's access policy lets CloudWatch alarms publish to it: an `Allow` of
 * `sns:Publish` on the topic to `cloudwatch.amazonaws.com` (or to every principal, as SNS's
 * default policy does within the account), and no unconditional `Deny` of it. Conditions of an
 * `Allow` (`aws:SourceAccount`, `aws:SourceArn`) are reported, not evaluated: they name this
 * account's alarms.
 */
export function cloudWatchPublishing(
  policyJson: string | undefined,
  topicArn: string,
): { readonly allowed: boolean; readonly how: string } {
  const statements = statementsOf(policyJson).filter(
    (statement) =>
      allowsAction(statement, 'sns:Publish') &&
      listOf(statement.Resource).some((resource) => iamMatches(resource, topicArn)),
  );
  const reaches = (statement: (typeof statements)[number]) =>
    [...principalsOf(statement, 'AWS'), ...principalsOf(statement, 'Service')].some(
      (principal) => principal === '*' || principal === 'cloudwatch.amazonaws.com',
    );
  const denied = statements.find(
    (statement) => statement.Effect === 'Deny' && reaches(statement) && statement.Condition === undefined,
  );
  if (denied !== undefined)
    return { allowed: false, how: 'a statement denies sns:Publish to every principal' };
  const allow = statements.find((statement) => statement.Effect === 'Allow' && reaches(statement));
  if (allow === undefined) {
    return {
      allowed: false,
      how:
        policyJson === undefined
          ? 'the topic has no access policy'
          : 'no statement of its access policy allows cloudwatch.amazonaws.com sns:Publish on it',
    };
  }
  const who = principalsOf(allow, 'Service').includes('cloudwatch.amazonaws.com')
    ? 'cloudwatch.amazonaws.com'
    : 'every principal';
  const conditions = Object.values(allow.Condition ?? {}).flatMap((tests) => Object.keys(tests));
  return {
    allowed: true,
    how: `sns:Publish allowed to ${who}${conditions.length === 0 ? '' : ` when ${[...new Set(conditions)].join(', ')} match`}`,
  };
}
