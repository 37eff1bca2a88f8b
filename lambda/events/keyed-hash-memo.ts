/**
 * The keyed hashes one container made lately, of ONE key: normalised text -> `hmac-sha256:<version>:<hex>`.
 * Real traffic repeats a value on every event of a user (RudderStack puts the identify traits in
 * every event's `context.traits`), so most hashes are answered from here instead of by an HMAC.
 *
 * Bounded: it never holds more than `capacity` entries. It keeps two generations of at most half
 * each; when the newer one is full, the older one is forgotten and the newer one takes its place,
 * and a value found in the older one moves back to the newer one. So what is used keeps its
 * entry, and a run of new values costs no more than the HMACs it needs. It lives only in the
 * function's memory (never written anywhere), for the life of the container; docs/privacy.md.
 */
export class KeyedHashMemo {
  /** The default bound: 10,000 entries, ~270 bytes each for a 20-character email: ~2.7 MB. */
  static readonly DEFAULT_CAPACITY = 10_000;

  private newer = new Map<string, string>();
  private older = new Map<string, string>();
  private readonly generation: number;

  /**
   * @param hash makes the keyed hash of a text the memo does not hold (an HMAC with the memo's key)
   * @param capacity the most entries it holds
   */
  constructor(
    private readonly hash: (text: string) => string,
    readonly capacity = KeyedHashMemo.DEFAULT_CAPACITY,
  ) {
    if (!Number.isInteger(capacity) || capacity < 2) {
      throw new RangeError(`KeyedHashMemo capacity must be an integer of at least 2, got ${capacity}`);
    }
    this.generation = Math.floor(capacity / 2);
  }

  /** Entries held now (at most `capacity`). */
  get size(): number {
    return this.newer.size + this.older.size;
  }

  /** The hash of `text`: from memory when held, else made by `hash` and kept. */
  hashOf(text: string): string {
    const held = this.newer.get(text);
    if (held !== undefined) return held;
    const old = this.older.get(text);
    const value = old ?? this.hash(text);
    if (this.newer.size >= this.generation) {
      this.older = this.newer;
      this.newer = new Map();
    }
    this.newer.set(text, value);
    return value;
  }
}
