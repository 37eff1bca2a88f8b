import { setTimeout as sleepFor } from 'node:timers/promises';

/**
 * Keeps a writer at or below `eventsPerSecond` on average: each batch waits until the time the
 * events before it were due at that rate (the first goes at once). Batches of at most
 * `eventsPerSecond` events keep any one second's burst within the rate too.
 */
export class EventPacer {
  private startedAt: number | undefined;
  private sent = 0;

  constructor(
    readonly eventsPerSecond: number,
    private readonly now: () => number = Date.now,
    private readonly sleep: (ms: number) => Promise<unknown> = (ms) => sleepFor(ms),
  ) {}

  /** Waits until `count` more events may go, and counts them as sent. */
  async take(count: number): Promise<void> {
    this.startedAt ??= this.now();
    const due = this.startedAt + (this.sent * 1000) / this.eventsPerSecond;
    const wait = due - this.now();
    if (wait > 0) await this.sleep(wait);
    this.sent += count;
  }
}
