import { SQSClient } from '@aws-sdk/client-sqs';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { SpillStore } from '../delivery/spill-store';
import { SqsSpillStore } from '../delivery/sqs-spill-store';

/** What {@link createSqsSpillStore} needs: the queue, and where SQS is. */
export interface SqsSpillStoreSettings {
  readonly queueUrl: string;
  /** @default - the SDK's region from the environment */
  readonly region?: string;
  /** An SQS-compatible endpoint (tests, emulators); `http://` ones get HTTP/1.1. @default - AWS */
  readonly endpoint?: string;
}

/**
 * Lazy module `sqs-spill-store` (lambda/contract/lazy-modules.ts): the SQS client and the spill
 * store on it, loaded by the first spill (lambda/delivery/spill-store-config.ts), so a container
 * whose stream never refuses records never loads the SQS client. The store reports plain data;
 * its errors are caught by the spilling writer whatever their class.
 */
export function createSqsSpillStore(settings: SqsSpillStoreSettings): SpillStore {
  const { endpoint } = settings;
  const client = new SQSClient({
    maxAttempts: 1,
    ...(settings.region === undefined ? {} : { region: settings.region }),
    ...(endpoint === undefined ? {} : { endpoint }),
    ...(endpoint?.startsWith('http://') ? { requestHandler: new NodeHttpHandler() } : {}),
  });
  return new SqsSpillStore({ client, queueUrl: settings.queueUrl });
}
