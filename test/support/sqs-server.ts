import { createHash, randomUUID } from 'node:crypto';
import { startAwsJsonServer } from './aws-json-server';

/**
 * A minimal SQS for tests: the AWS JSON 1.0 protocol the v3 SDK speaks (`X-Amz-Target:
 * AmazonSQS.<Action>`), one in-memory standard queue per URL path, and only the actions the spill
 * store and the redrive use: SendMessageBatch, ReceiveMessage (visibility timeout), DeleteMessageBatch,
 * GetQueueAttributes. No SQS emulator runs on Node 20 without Docker or a JVM here, so this stands in.
 * Faults are injected per entry (`entryFault`) or per call (`callFault`).
 */
export interface TestSqs {
  readonly endpoint: string;
  /** A queue URL on this server (the SDK sends requests to the queue URL's host). */
  queueUrl(name: string): string;
  /** Message bodies in the queue, visible or not. */
  bodies(name: string): string[];
  /** Calls received, by action. */
  readonly calls: Map<string, number>;
  /** Decides a SendMessageBatch entry's fate; return an error to refuse it alone. */
  entryFault?: (body: string) => { code: string; senderFault: boolean } | undefined;
  /** Decides a whole call's fate; return an HTTP status to fail the call. */
  callFault?: (action: string) => number | undefined;
  stop(): Promise<void>;
}

interface StoredMessage {
  readonly id: string;
  readonly body: string;
  receipt: string;
  invisibleUntil: number;
  receiveCount: number;
}

const md5 = (text: string) => createHash('md5').update(text, 'utf8').digest('hex');

export async function startTestSqs(): Promise<TestSqs> {
  const queues = new Map<string, StoredMessage[]>();
  const queueOf = (url: unknown) => {
    const name = new URL(String(url)).pathname;
    let queue = queues.get(name);
    if (queue === undefined) {
      queue = [];
      queues.set(name, queue);
    }
    return queue;
  };
  const calls = new Map<string, number>();

  const handlers: Record<string, (input: Record<string, unknown>) => unknown> = {
    SendMessageBatch: (input) => {
      const queue = queueOf(input.QueueUrl);
      const entries = input.Entries as { Id: string; MessageBody: string }[];
      const Successful: unknown[] = [];
      const Failed: unknown[] = [];
      for (const entry of entries) {
        const fault = testSqs.entryFault?.(entry.MessageBody);
        if (fault) {
          Failed.push({
            Id: entry.Id,
            SenderFault: fault.senderFault,
            Code: fault.code,
            Message: 'injected',
          });
          continue;
        }
        const id = randomUUID();
        queue.push({ id, body: entry.MessageBody, receipt: '', invisibleUntil: 0, receiveCount: 0 });
        Successful.push({ Id: entry.Id, MessageId: id, MD5OfMessageBody: md5(entry.MessageBody) });
      }
      return { Successful, Failed };
    },
    ReceiveMessage: (input) => {
      const queue = queueOf(input.QueueUrl);
      const max = Number(input.MaxNumberOfMessages ?? 1);
      const visibility = Number(input.VisibilityTimeout ?? 30);
      const now = Date.now();
      const Messages = queue
        .filter((message) => message.invisibleUntil <= now)
        .slice(0, max)
        .map((message) => {
          message.receipt = randomUUID();
          message.invisibleUntil = now + visibility * 1000;
          message.receiveCount++;
          return {
            MessageId: message.id,
            ReceiptHandle: message.receipt,
            MD5OfBody: md5(message.body),
            Body: message.body,
          };
        });
      return Messages.length === 0 ? {} : { Messages };
    },
    DeleteMessageBatch: (input) => {
      const queue = queueOf(input.QueueUrl);
      const entries = input.Entries as { Id: string; ReceiptHandle: string }[];
      for (const entry of entries) {
        const at = queue.findIndex((message) => message.receipt === entry.ReceiptHandle);
        if (at !== -1) queue.splice(at, 1);
      }
      return { Successful: entries.map((entry) => ({ Id: entry.Id })), Failed: [] };
    },
    GetQueueAttributes: (input) => ({
      Attributes: { ApproximateNumberOfMessages: String(queueOf(input.QueueUrl).length) },
    }),
  };

  const server = await startAwsJsonServer({
    contentType: 'application/x-amz-json-1.0',
    answer: ({ target, input }) => {
      const action = target.replace(/^AmazonSQS\./, '');
      calls.set(action, (calls.get(action) ?? 0) + 1);
      const status = testSqs.callFault?.(action);
      if (status !== undefined) {
        return { status, body: { __type: 'com.amazonaws.sqs#InternalError', message: 'injected fault' } };
      }
      const handler = handlers[action];
      if (handler === undefined) {
        return {
          status: 400,
          body: { __type: 'com.amazonaws.sqs#InvalidAction', message: `${action} is not supported here` },
        };
      }
      return { status: 200, body: handler(input) };
    },
  });
  const { endpoint } = server;

  const testSqs: TestSqs = {
    endpoint,
    queueUrl: (name) => `${endpoint}/000000000000/${name}`,
    bodies: (name) => (queues.get(`/000000000000/${name}`) ?? []).map((message) => message.body),
    calls,
    stop: server.stop,
  };
  return testSqs;
}
