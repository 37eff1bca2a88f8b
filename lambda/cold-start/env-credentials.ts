import { type FromEnvInit, fromEnv } from '@aws-sdk/credential-provider-env';

/**
 * What the deployed bundle uses in place of `@aws-sdk/credential-provider-node` (an esbuild alias,
 * lib/constructs/collector-function.ts): the function's own credentials from the environment, where
 * Lambda puts the execution role's session (`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`,
 * `AWS_SESSION_TOKEN`). Every SDK client takes it as its default credential provider, and
 * `fromTemporaryCredentials` signs AssumeRole with it.
 *
 * Why: the SDK's default chain also bundles the profile-file, SSO, login, process, web-identity and
 * container/instance-metadata providers with their nested SSO and sign-in clients, none of which a
 * Lambda function reaches (the environment is the chain's first link there), and ~100 KB that every cold
 * start would compile. Local mode and the tests, which run the sources unbundled, keep the whole chain.
 */
export const defaultProvider = (init: FromEnvInit = {}) => fromEnv(init);
