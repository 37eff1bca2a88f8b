import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';

/**
 * How the command reaches AWS: the region and credentials of every client, and (tests, local
 * stand-ins) an endpoint per service. Without an endpoint the SDK uses AWS's, or the service's
 * `AWS_ENDPOINT_URL_<SERVICE>` from the environment.
 */
export interface AwsConnection {
  /** @default the SDK's: AWS_REGION, else the profile's region in ~/.aws/config */
  readonly region?: string;
  readonly credentials?: AwsCredentialIdentity | AwsCredentialIdentityProvider;
  readonly endpoints?: Partial<Record<AwsService, string>>;
  /**
   * Local mode: Kinesis is an emulator, and a service without an endpoint in `endpoints` has no
   * stand-in, so its steps are "not checked" instead of calling AWS.
   * @default false
   */
  readonly local?: boolean;
}

/** The service's name in "not checked" lines and its `AWS_ENDPOINT_URL_<SERVICE>` suffix. */
export const SERVICE_ENDPOINT_VARIABLES: Readonly<Record<AwsService, string>> = {
  cloudformation: 'AWS_ENDPOINT_URL_CLOUDFORMATION',
  secretsManager: 'AWS_ENDPOINT_URL_SECRETS_MANAGER',
  sns: 'AWS_ENDPOINT_URL_SNS',
  cloudwatch: 'AWS_ENDPOINT_URL_CLOUDWATCH',
  iam: 'AWS_ENDPOINT_URL_IAM',
};

/**
 * Why the command cannot call `service` here, or `undefined` when it can: in local mode, a service
 * no stand-in answers for.
 */
export function unavailable(connection: AwsConnection, service: AwsService): string | undefined {
  if (connection.local !== true || connection.endpoints?.[service] !== undefined) return undefined;
  return `local mode has no ${service} stand-in (set ${SERVICE_ENDPOINT_VARIABLES[service]} to one to check it)`;
}

export type AwsService = 'cloudformation' | 'secretsManager' | 'sns' | 'cloudwatch' | 'iam';

/**
 * The client settings every adapter of the command shares: one retry, and timeouts, so a service
 * that cannot be reached fails its step in seconds instead of hanging the command.
 */
export function clientConfig(connection: AwsConnection, service: AwsService) {
  const endpoint = connection.endpoints?.[service];
  return {
    ...(connection.region === undefined ? {} : { region: connection.region }),
    maxAttempts: 2,
    requestHandler: new NodeHttpHandler({ connectionTimeout: 5_000, requestTimeout: 20_000 }),
    ...(connection.credentials === undefined ? {} : { credentials: connection.credentials }),
    ...(endpoint === undefined ? {} : { endpoint }),
  };
}
