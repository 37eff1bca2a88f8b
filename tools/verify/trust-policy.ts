import { allowsAction, conditionValues, iamMatches, principalsOf, statementsOf } from './policy-document';

/** The account id in an ARN (`arn:aws:iam::123456789012:role/x` -> `123456789012`). */
const accountOf = (arn: string): string => arn.split(':')[4] ?? '';

/**
 * How a role's trust policy names `roleArn` as a principal that may assume it: by its exact ARN,
 * or (as the stream stack writes it) as its account with an `aws:PrincipalArn` condition whose
 * value or `ArnLike` pattern matches it. `undefined` when no `Allow` of `sts:AssumeRole` names it.
 */
export function trustNaming(trustPolicyJson: string, roleArn: string): string | undefined {
  const account = accountOf(roleArn);
  for (const statement of statementsOf(trustPolicyJson)) {
    if (statement.Effect !== 'Allow' || !allowsAction(statement, 'sts:AssumeRole')) continue;
    const principals = principalsOf(statement, 'AWS');
    if (principals.includes(roleArn)) return 'names it as its principal';
    const ofAccount = principals.some(
      (principal) =>
        principal === account || iamMatches(principal, `arn:${roleArn.split(':')[1]}:iam::${account}:root`),
    );
    if (!ofAccount) continue;
    const patterns = conditionValues(
      statement,
      ['ArnLike', 'ArnEquals', 'StringLike', 'StringEquals'],
      'aws:PrincipalArn',
    );
    const match = patterns.find((pattern) => iamMatches(pattern, roleArn));
    if (match !== undefined) return `trusts account ${account} with aws:PrincipalArn ${match}`;
  }
  return undefined;
}
