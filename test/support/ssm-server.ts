import { startAwsJsonServer } from './aws-json-server';

/**
 * A minimal SSM Parameter Store for tests: the AWS JSON 1.1 protocol the v3 SDK speaks
 * (`X-Amz-Target: AmazonSSM.GetParameter`), parameters in memory by name. Only GetParameter, the one
 * call the collector makes.
 */
export interface TestSsm {
  /** `http://127.0.0.1:<port>`: the value of `AWS_ENDPOINT_URL_SSM` or a client's `endpoint`. */
  readonly endpoint: string;
  put(name: string, value: string, type?: 'String' | 'SecureString'): void;
  /** GetParameter calls received, with their `WithDecryption` flag. */
  readonly reads: { name: string; withDecryption: boolean }[];
  stop(): Promise<void>;
}

export async function startTestSsm(): Promise<TestSsm> {
  const parameters = new Map<string, { value: string; type: string; version: number }>();
  const reads: TestSsm['reads'] = [];
  const server = await startAwsJsonServer({
    contentType: 'application/x-amz-json-1.1',
    answer: ({ target, input }) => {
      if (target !== 'AmazonSSM.GetParameter') {
        return {
          status: 400,
          body: { __type: 'ValidationException', message: `${target} is not supported here` },
        };
      }
      const name = String(input.Name ?? '');
      reads.push({ name, withDecryption: input.WithDecryption === true });
      const parameter = parameters.get(name);
      if (parameter === undefined) return { status: 400, body: { __type: 'ParameterNotFound', message: '' } };
      return {
        status: 200,
        body: {
          Parameter: {
            Name: name,
            Type: parameter.type,
            Value: parameter.value,
            Version: parameter.version,
            ARN: `arn:aws:ssm:us-east-1:123456789012:parameter${name}`,
            DataType: 'text',
          },
        },
      };
    },
  });
  return {
    endpoint: server.endpoint,
    put: (name, value, type = 'String') =>
      parameters.set(name, { value, type, version: (parameters.get(name)?.version ?? 0) + 1 }),
    reads,
    stop: server.stop,
  };
}
