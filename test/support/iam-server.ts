import { startAwsQueryServer, unsupported } from './aws-query-server';

/**
 * A minimal IAM for tests: the AWS Query protocol, roles kept in memory by name. Only GetRole, whose
 * trust policy comes back URL-encoded as IAM sends it.
 */
export interface TestIam {
  /** The value of `AWS_ENDPOINT_URL_IAM`. */
  readonly endpoint: string;
  /** Adds or replaces a role by ARN, with its trust policy (JSON). */
  putRole(arn: string, trustPolicy: string): void;
  stop(): Promise<void>;
}

export async function startTestIam(): Promise<TestIam> {
  const roles = new Map<string, { arn: string; trustPolicy: string }>();
  const server = await startAwsQueryServer({
    xmlns: 'https://iam.amazonaws.com/doc/2010-05-08/',
    answer: ({ action, params }) => {
      if (action !== 'GetRole') return unsupported(action);
      const name = params.get('RoleName') ?? '';
      const role = roles.get(name);
      if (role === undefined) {
        return {
          error: {
            code: 'NoSuchEntity',
            message: `The role with name ${name} cannot be found.`,
            status: 404,
          },
        };
      }
      return {
        result: {
          Role: {
            Path: '/',
            RoleName: name,
            RoleId: 'AROA000000000000EXAMPLE',
            Arn: role.arn,
            CreateDate: '2026-12-06T00:00:00Z',
            AssumeRolePolicyDocument: encodeURIComponent(role.trustPolicy),
          },
        },
      };
    },
  });
  return {
    endpoint: server.endpoint,
    putRole: (arn, trustPolicy) => roles.set(arn.slice(arn.lastIndexOf('/') + 1), { arn, trustPolicy }),
    stop: server.stop,
  };
}
