import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { CloudFormationCustomResourceResponse } from 'aws-lambda';

/** A response PUT to the URL: the content type it was sent with, and the response. */
export interface ReceivedResponse {
  readonly contentType: string | undefined;
  readonly body: CloudFormationCustomResourceResponse;
}

/**
 * CloudFormation's side of a custom resource request, for tests: the pre-signed `ResponseURL` a
 * provider PUTs its response to, on loopback, recording each response.
 */
export interface TestResponseUrl {
  /** The `ResponseURL` to put in a request. */
  readonly url: string;
  /** Responses received, in order (tests may empty it between cases). */
  readonly responses: ReceivedResponse[];
  stop(): Promise<void>;
}

export async function startTestResponseUrl(): Promise<TestResponseUrl> {
  const responses: ReceivedResponse[] = [];
  const server = createServer(async (request, response) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    responses.push({
      contentType: request.headers['content-type'],
      body: JSON.parse(Buffer.concat(chunks).toString('utf8')),
    });
    response.writeHead(200).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/response?X-Amz-Signature=test`,
    responses,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
