import {
  CloudFormationClient,
  DescribeStacksCommand,
  paginateListStackResources,
  type Stack,
} from '@aws-sdk/client-cloudformation';
import { type AwsConnection, clientConfig } from './aws-connection';

/** A deployed stack as the command reads it: its status, outputs and resources. */
export interface DeployedStack {
  readonly name: string;
  /** e.g. `CREATE_COMPLETE`, `UPDATE_ROLLBACK_COMPLETE`. */
  readonly status: string;
  readonly outputs: Readonly<Record<string, string>>;
  /** Physical ids (an alarm's name, a topic's ARN) by resource type. */
  resourcesOfType(type: string): Promise<string[]>;
}

/** The CloudFormation adapter: DescribeStacks and ListStackResources. */
export class CloudFormationStacks {
  private readonly client: CloudFormationClient;

  constructor(connection: AwsConnection) {
    this.client = new CloudFormationClient(clientConfig(connection, 'cloudformation'));
  }

  /** The stack, or `undefined` when there is none of that name in the account and region. */
  async read(name: string): Promise<DeployedStack | undefined> {
    let stack: Stack | undefined;
    try {
      const { Stacks } = await this.client.send(new DescribeStacksCommand({ StackName: name }));
      stack = Stacks?.[0];
    } catch (error) {
      // CloudFormation answers a missing stack with a ValidationError "Stack with id X does not exist".
      if ((error as Error).name === 'ValidationError' && /does not exist/.test((error as Error).message)) {
        return undefined;
      }
      throw error;
    }
    if (stack === undefined) return undefined;
    const outputs: Record<string, string> = {};
    for (const output of stack.Outputs ?? []) {
      if (output.OutputKey !== undefined && output.OutputValue !== undefined) {
        outputs[output.OutputKey] = output.OutputValue;
      }
    }
    const client = this.client;
    return {
      name,
      status: stack.StackStatus ?? 'UNKNOWN',
      outputs,
      async resourcesOfType(type) {
        const ids: string[] = [];
        for await (const page of paginateListStackResources({ client }, { StackName: name })) {
          for (const resource of page.StackResourceSummaries ?? []) {
            if (resource.ResourceType === type && resource.PhysicalResourceId !== undefined) {
              ids.push(resource.PhysicalResourceId);
            }
          }
        }
        return ids;
      },
    };
  }

  destroy(): void {
    this.client.destroy();
  }
}
