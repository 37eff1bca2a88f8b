import { startAwsQueryServer, unsupported } from './aws-query-server';

/** A stack the stand-in answers for. */
export interface TestStack {
  readonly name: string;
  /** @default 'CREATE_COMPLETE' */
  readonly status?: string;
  readonly outputs: Readonly<Record<string, string>>;
  /** Its resources: type and physical id (an alarm's name, a topic's ARN). */
  readonly resources?: readonly { readonly type: string; readonly physicalId: string }[];
}

/**
 * A minimal CloudFormation for tests: the AWS Query protocol (XML answers) the v3 SDK speaks,
 * stacks kept in memory by name. Only DescribeStacks (one stack by name) and ListStackResources.
 */
export interface TestCloudFormation {
  /** The value of `AWS_ENDPOINT_URL_CLOUDFORMATION`. */
  readonly endpoint: string;
  /** Adds or replaces a stack. */
  put(stack: TestStack): void;
  remove(name: string): void;
  stop(): Promise<void>;
}

export async function startTestCloudFormation(): Promise<TestCloudFormation> {
  const stacks = new Map<string, TestStack>();
  const server = await startAwsQueryServer({
    xmlns: 'http://cloudformation.amazonaws.com/doc/2010-05-15/',
    answer: ({ action, params }) => {
      if (action !== 'DescribeStacks' && action !== 'ListStackResources') return unsupported(action);
      const name = params.get('StackName') ?? '';
      const stack = stacks.get(name);
      if (stack === undefined) {
        return { error: { code: 'ValidationError', message: `Stack with id ${name} does not exist` } };
      }
      if (action === 'ListStackResources') {
        return {
          result: {
            StackResourceSummaries: (stack.resources ?? []).map((resource, index) => ({
              LogicalResourceId: `Resource${index}`,
              PhysicalResourceId: resource.physicalId,
              ResourceType: resource.type,
              LastUpdatedTimestamp: '2026-12-06T00:00:00Z',
              ResourceStatus: 'CREATE_COMPLETE',
            })),
          },
        };
      }
      return {
        result: {
          Stacks: [
            {
              StackId: `arn:aws:cloudformation:us-east-1:000000000000:stack/${stack.name}/1`,
              StackName: stack.name,
              CreationTime: '2026-12-06T00:00:00Z',
              StackStatus: stack.status ?? 'CREATE_COMPLETE',
              Outputs: Object.entries(stack.outputs).map(([OutputKey, OutputValue]) => ({
                OutputKey,
                OutputValue,
              })),
            },
          ],
        },
      };
    },
  });
  return {
    endpoint: server.endpoint,
    put: (stack) => stacks.set(stack.name, stack),
    remove: (name) => stacks.delete(name),
    stop: server.stop,
  };
}
