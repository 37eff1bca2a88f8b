/** How long a key stays hot after its rate last passed the threshold or it was last throttled. */
export const HOT_KEY_COOL_DOWN_MS = 10_000;

/**
 * The share of the threshold a throttled key must reach in this container to be spread: with N
 * containers each seeing 1/N of a key, the shard's `ProvisionedThroughputExceeded` is the signal,
 * and this share keeps the small keys that merely share the throttled shard in order.
 */
export const THROTTLED_KEY_SHARE = 0.2;

const WINDOW_MS = 1_000;

/** Why a key turned hot. */
export type HotKeyTrigger = 'rate' | 'throttling';

interface KeyState {
  /** Start of the current one-second window (a multiple of {@link WINDOW_MS}). */
  windowStart: number;
  /** Records seen in the current window, and in the one before it. */
  count: number;
  previous: number;
  /** Epoch ms until which the key is hot (0: never was). */
  hotUntil: number;
}

export interface HotKeyTrackerOptions {
  /** A key writing more records per second than this, in this container, is hot. */
  readonly recordsPerSecond: number;
  /** @default HOT_KEY_COOL_DOWN_MS */
  readonly coolDownMs?: number;
  /** @default - `Date.now` */
  readonly now?: () => number;
}

/**
 * Per-key record rates of one container (a sliding one-second window, estimated from this
 * window's count and the last one's), and which keys are hot: a key is hot from the record that
 * takes its rate over `recordsPerSecond`, or from a throttling report on it
 * ({@link HotKeyTracker.throttled}), until `coolDownMs` after the last of these. Pure: no I/O.
 */
export class HotKeyTracker {
  private readonly keys = new Map<string, KeyState>();
  private readonly coolDownMs: number;
  private readonly now: () => number;
  private prunedAt = 0;

  constructor(private readonly options: HotKeyTrackerOptions) {
    this.coolDownMs = options.coolDownMs ?? HOT_KEY_COOL_DOWN_MS;
    this.now = options.now ?? Date.now;
  }

  /**
   * Counts one record of `key` and says whether it goes out spread: `'rate'` when this record
   * turned the key hot, `true` while it is hot, `false` when it is not.
   */
  count(key: string): boolean | HotKeyTrigger {
    const at = this.now();
    this.prune(at);
    const state = this.advance(key, at);
    state.count += 1;
    const wasHot = at < state.hotUntil;
    if (this.rate(state, at) > this.options.recordsPerSecond) {
      state.hotUntil = at + this.coolDownMs;
      return wasHot ? true : 'rate';
    }
    return wasHot;
  }

  /**
   * Feedback from the stream: `key`'s records came back throttled. The key turns (or stays) hot
   * when its rate here is at least {@link THROTTLED_KEY_SHARE} of the threshold; returns whether
   * it turned hot now.
   */
  throttled(key: string): boolean {
    const at = this.now();
    const state = this.keys.get(key);
    if (state === undefined) return false;
    this.advance(key, at);
    if (this.rate(state, at) < this.options.recordsPerSecond * THROTTLED_KEY_SHARE) return false;
    const wasHot = at < state.hotUntil;
    state.hotUntil = at + this.coolDownMs;
    return !wasHot;
  }

  /** Whether `key` is hot now. */
  isHot(key: string): boolean {
    const state = this.keys.get(key);
    return state !== undefined && this.now() < state.hotUntil;
  }

  /** The key's state with its windows moved up to `at`. */
  private advance(key: string, at: number): KeyState {
    const windowStart = at - (at % WINDOW_MS);
    let state = this.keys.get(key);
    if (state === undefined) {
      state = { windowStart, count: 0, previous: 0, hotUntil: 0 };
      this.keys.set(key, state);
    } else if (state.windowStart !== windowStart) {
      state.previous = windowStart - state.windowStart === WINDOW_MS ? state.count : 0;
      state.count = 0;
      state.windowStart = windowStart;
    }
    return state;
  }

  /** Records per second over the last second: this window's count plus the last one's still in view. */
  private rate(state: KeyState, at: number): number {
    const elapsed = (at - state.windowStart) / WINDOW_MS;
    return state.count + state.previous * (1 - elapsed);
  }

  /** Forgets, at most once a second, keys neither seen in the last two windows nor hot. */
  private prune(at: number): void {
    if (at - this.prunedAt < WINDOW_MS) return;
    this.prunedAt = at;
    for (const [key, state] of this.keys) {
      if (at - state.windowStart >= 2 * WINDOW_MS && at >= state.hotUntil) this.keys.delete(key);
    }
  }
}
