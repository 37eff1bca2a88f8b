import { GetRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { type AwsConnection, clientConfig } from './aws-connection';

/** The role name in a role ARN (`arn:aws:iam::123456789012:role/path/Name` -> `Name`). */
export const roleNameOf = (roleArn: string): string => roleArn.slice(roleArn.lastIndexOf('/') + 1);

/**
 * The IAM adapter: a role's trust policy (JSON). IAM returns the document URL-encoded; this
 * decodes it.
 */
export async function readTrustPolicy(connection: AwsConnection, roleArn: string): Promise<string> {
  const client = new IAMClient(clientConfig(connection, 'iam'));
  try {
    const { Role } = await client.send(new GetRoleCommand({ RoleName: roleNameOf(roleArn) }));
    return decodeURIComponent(Role?.AssumeRolePolicyDocument ?? '{}');
  } finally {
    client.destroy();
  }
}
