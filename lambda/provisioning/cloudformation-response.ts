import * as http from 'node:http';
import * as https from 'node:https';
import type { CloudFormationCustomResourceResponse } from 'aws-lambda';

/** CloudFormation's response URL did not take the answer: the stack waits until its timeout. */
export class CloudFormationResponseError extends Error {
  override readonly name = 'CloudFormationResponseError';
}

/**
 * Answers a custom resource request: a PUT of the JSON response to the request's pre-signed
 * `ResponseURL` (HTTPS to S3 when deployed; plain HTTP only for a test's loopback server). The
 * empty `content-type` is the one the URL was signed for.
 */
export async function sendCloudFormationResponse(
  responseUrl: string,
  response: CloudFormationCustomResourceResponse,
): Promise<void> {
  const body = JSON.stringify(response);
  const url = new URL(responseUrl);
  const request = url.protocol === 'http:' ? http.request : https.request;
  await new Promise<void>((resolve, reject) => {
    const put = request(
      url,
      { method: 'PUT', headers: { 'content-type': '', 'content-length': Buffer.byteLength(body) } },
      (answer) => {
        answer.resume();
        answer.on('end', () => {
          const status = answer.statusCode ?? 0;
          if (status >= 200 && status < 300) resolve();
          else reject(new CloudFormationResponseError(`the response URL answered HTTP ${status}`));
        });
      },
    );
    put.on('error', (cause) =>
      reject(new CloudFormationResponseError('the response URL cannot be reached', { cause })),
    );
    put.end(body);
  });
}
