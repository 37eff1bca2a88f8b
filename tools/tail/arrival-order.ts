import type { ShardRecord } from './shard-reader';

interface ShardQueue {
  records: ShardRecord[];
  /** Index of the first record not passed on yet. */
  next: number;
  ended: boolean;
  /** Pushes waiting for their records to be passed on. */
  waiters: (() => void)[];
}

/** Records passed on per call at most, so output starts before a large page is merged. */
const MAX_BATCH = 1_000;

const arrival = (record: ShardRecord): number => record.arrivedAt?.getTime() ?? 0;

/**
 * Merges the records of shards read at once into `ApproximateArrivalTimestamp` order, as they are
 * read: a record is passed on once every shard still being read has a record waiting that is not
 * earlier, or has ended. Memory stays bounded: `push` resolves only once its records are passed on,
 * so a shard reader holds at most one page until the other shards catch up with it. Ties keep the
 * order in which the shards were opened; one shard's records keep their shard order.
 */
export class ArrivalOrder {
  private readonly shards = new Map<string, ShardQueue>();
  private pump: Promise<void> = Promise.resolve();
  private failure: unknown;

  /**
   * @param emit receives each batch of records in arrival order; awaited before the next.
   * @param signal when it aborts, nothing more is passed on and every waiting `push` resolves.
   */
  constructor(
    private readonly emit: (records: readonly ShardRecord[]) => Promise<void>,
    private readonly signal: AbortSignal,
  ) {
    signal.addEventListener('abort', () => this.releaseAll(), { once: true });
  }

  /** A shard is being read: from now on nothing later than its next record passes before it. */
  open(shardId: string): void {
    this.queue(shardId);
  }

  /** A shard's next records, in shard order. Resolves once they are all passed on (or on abort). */
  push(records: readonly ShardRecord[]): Promise<void> {
    if (records.length === 0 || this.signal.aborted) return Promise.resolve();
    const touched = new Set<ShardQueue>();
    for (const record of records) {
      const queue = this.queue(record.shardId);
      queue.records.push(record);
      touched.add(queue);
    }
    const waits = [...touched].map((queue) => new Promise<void>((resolve) => queue.waiters.push(resolve)));
    this.schedule();
    return Promise.all(waits).then(() => undefined);
  }

  /** The shard is read to its end (or stopped): it holds no other shard back any more. */
  end(shardId: string): void {
    this.queue(shardId).ended = true;
    this.schedule();
  }

  /** Resolves when everything that can be passed on has been; rejects with `emit`'s error. */
  async idle(): Promise<void> {
    await this.pump;
    if (this.failure !== undefined) throw this.failure;
  }

  private queue(shardId: string): ShardQueue {
    let queue = this.shards.get(shardId);
    if (queue === undefined) {
      queue = { records: [], next: 0, ended: false, waiters: [] };
      this.shards.set(shardId, queue);
    }
    return queue;
  }

  private schedule(): void {
    this.pump = this.pump.then(() => this.drain());
  }

  /** The next records that can pass, and the queues they emptied. */
  private take(): { batch: ShardRecord[]; emptied: ShardQueue[] } {
    const batch: ShardRecord[] = [];
    const emptied: ShardQueue[] = [];
    while (batch.length < MAX_BATCH) {
      let best: ShardQueue | undefined;
      let bestHead: ShardRecord | undefined;
      for (const queue of this.shards.values()) {
        const head = queue.records[queue.next];
        if (head === undefined) {
          if (queue.ended) continue;
          return { batch, emptied };
        }
        if (bestHead === undefined || arrival(head) < arrival(bestHead)) {
          best = queue;
          bestHead = head;
        }
      }
      if (best === undefined || bestHead === undefined) break;
      batch.push(bestHead);
      best.next++;
      if (best.next === best.records.length) {
        best.records = [];
        best.next = 0;
        emptied.push(best);
      }
    }
    return { batch, emptied };
  }

  private async drain(): Promise<void> {
    while (!this.signal.aborted && this.failure === undefined) {
      const { batch, emptied } = this.take();
      for (const [shardId, queue] of this.shards) {
        if (queue.ended && queue.records.length === 0) this.shards.delete(shardId);
      }
      if (batch.length === 0) return;
      try {
        await this.emit(batch);
      } catch (error) {
        this.failure = error;
        this.releaseAll();
        return;
      }
      for (const queue of emptied) for (const release of queue.waiters.splice(0)) release();
    }
  }

  private releaseAll(): void {
    for (const queue of this.shards.values()) for (const release of queue.waiters.splice(0)) release();
  }
}
