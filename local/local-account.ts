/**
 * The one account of local mode and tests: callers sign with keys of it, the writer role lives in it.
 * A module of its own, without the CDK: the local STS and `npm start` need the number without loading
 * aws-cdk-lib (local/trust-policy.ts synthesizes the writer role, and only when a role is assumed).
 */
export const LOCAL_ACCOUNT_ID = '000000000000';
