import { setTimeout as sleep } from 'node:timers/promises';
import { ArrivalOrder } from '../../tools/tail/arrival-order';
import type { ShardRecord } from '../../tools/tail/shard-reader';

const record = (shardId: string, second: number, id: string): ShardRecord => ({
  shardId,
  partitionKey: id,
  sequenceNumber: id,
  arrivedAt: new Date(Date.UTC(2026, 10, 29, 12, 0, second)),
  data: new Uint8Array(),
});

const ids = (records: readonly ShardRecord[]) => records.map((item) => item.sequenceNumber);

describe('ArrivalOrder', () => {
  it('passes records of several shards on in arrival order, holding each back until every open shard has caught up', async () => {
    // Prepare
    const passed: string[] = [];
    const order = new ArrivalOrder(async (records) => {
      passed.push(...ids(records));
    }, new AbortController().signal);
    order.open('a');
    order.open('b');

    // Act: shard a's page comes first; nothing may pass while b has not answered.
    const aDone = order.push([record('a', 1, 'a1'), record('a', 4, 'a4'), record('a', 6, 'a6')]);
    await sleep(10);
    const passedBeforeB = [...passed];
    const bDone = order.push([record('b', 2, 'b2'), record('b', 3, 'b3'), record('b', 5, 'b5')]);
    await bDone;
    order.end('b');
    await aDone;
    order.end('a');
    await order.idle();

    // Assess
    expect(passedBeforeB).toEqual([]);
    expect(passed).toEqual(['a1', 'b2', 'b3', 'a4', 'b5', 'a6']);
  });

  it('lets a shard that ended stop holding the others back, and keeps one shard’s order on equal times', async () => {
    const passed: string[] = [];
    const order = new ArrivalOrder(async (records) => {
      passed.push(...ids(records));
    }, new AbortController().signal);
    order.open('a');
    order.open('empty');

    const aDone = order.push([record('a', 1, 'first'), record('a', 1, 'second')]);
    order.end('empty');
    await aDone;
    order.end('a');
    await order.idle();

    expect(passed).toEqual(['first', 'second']);
  });

  it('releases every waiting shard when the signal aborts, so readers can stop', async () => {
    const stop = new AbortController();
    const order = new ArrivalOrder(async () => undefined, stop.signal);
    order.open('a');
    order.open('silent');
    const pending = order.push([record('a', 1, 'a1')]);

    stop.abort();

    await expect(pending).resolves.toBeUndefined();
  });
});
