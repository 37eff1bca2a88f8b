import { KinesisClient } from '@aws-sdk/client-kinesis';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { DestinationConfig } from '../config/runtime-config';

/**
 * The Kinesis client of one destination, built once per container. The SDK's own retries are off
 * (`maxAttempts: 1`): the record writer retries within the request's time budget instead, so a
 * slow stream cannot push the answer past the Lambda or API Gateway timeout.
 * Emulator endpoints (plain `http://`) get an HTTP/1.1 handler: the default HTTP/2 one fails there.
 */
export function createKinesisClient(destination: DestinationConfig): KinesisClient {
  return new KinesisClient({
    region: destination.region,
    maxAttempts: 1,
    ...(destination.endpoint === undefined ? {} : { endpoint: destination.endpoint }),
    ...(destination.endpoint?.startsWith('http://') ? { requestHandler: new NodeHttpHandler() } : {}),
    ...(destination.credentials === undefined ? {} : { credentials: destination.credentials }),
  });
}
