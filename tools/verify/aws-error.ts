import { found, type VerifyProblem, type VerifyStep, type VerifyStepName } from './verify-step';

/** The error code of an SDK error (its `name`), or of anything else thrown. */
export const errorCodeOf = (error: unknown): string =>
  (error as { name?: string } | undefined)?.name ?? 'UnknownError';

/** Codes AWS services answer a caller its IAM policy does not allow (Query services: `AccessDenied`, `AuthorizationError`). */
const DENIED = new Set([
  'AccessDenied',
  'AccessDeniedException',
  'AuthorizationError',
  'UnauthorizedOperation',
]);

/** Whether the error says the caller may not make the call (so the step is "not checked", not failed). */
export const isAccessDenied = (error: unknown): boolean => DENIED.has(errorCodeOf(error));

const CREDENTIALS_FIX =
  'run with AWS credentials of the account the stack is deployed in (AWS_PROFILE, aws sso login, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY) and its region (--region or AWS_REGION)';

/**
 * What an error of the command's own call means (its credentials, its permissions, the network),
 * for errors no step explains better.
 */
export function callerProblem(error: unknown, call: string): VerifyProblem {
  const code = errorCodeOf(error);
  if (/Region is missing/.test((error as Error | undefined)?.message ?? '')) {
    return {
      meaning: `no region was given to call ${call} in`,
      fix: "give the stack's region with --region REGION (or AWS_REGION)",
    };
  }
  if (code === 'CredentialsProviderError') {
    return { meaning: `no AWS credentials were found to sign ${call} with`, fix: CREDENTIALS_FIX };
  }
  if (DENIED.has(code)) {
    return {
      meaning: `the credentials this command runs with may not call ${call}`,
      fix: `run as a principal allowed ${call} on the stack's resources (docs/deploying.md, "Verify a deployment", lists every call)`,
    };
  }
  if (
    ['InvalidClientTokenId', 'UnrecognizedClientException', 'ExpiredToken', 'ExpiredTokenException'].includes(
      code,
    )
  ) {
    return {
      meaning: `AWS does not accept the credentials ${call} was signed with (${code})`,
      fix: CREDENTIALS_FIX,
    };
  }
  return {
    meaning: `${call} did not get an answer AWS gives to a refusal (${code}): the service could not be reached or failed`,
    fix: 'check the network path to AWS (proxy, VPC endpoint, region) and run the command again',
  };
}

/** A failed step for an error of one of the command's own calls. */
export function failedCall(
  name: VerifyStepName,
  description: string,
  error: unknown,
  call: string,
  problem: VerifyProblem = callerProblem(error, call),
): VerifyStep {
  return found(
    name,
    description,
    errorCodeOf(error),
    error instanceof Error ? error.message : String(error),
    problem,
  );
}
