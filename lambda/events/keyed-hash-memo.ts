/** Slots of the table of texts seen once (a power of two). */
const FINGERPRINT_SLOTS = 16_384;

/**
 * The keyed hashes one container made lately, of ONE key: normalised text -> `hmac-sha256:<version>:<hex>`.
 * Real traffic repeats a value on every event of a user (RudderStack puts the identify traits in
 * every event's `context.traits`), so most hashes are answered from here instead of by an HMAC.
 *
 * A text enters the memo the second time it is hashed (a table of 16,384 32-bit fingerprints of
 * texts seen once decides; a fingerprint collision only lets a text in early or late): values that never
 * repeat cost their HMAC and nothing more, instead of filling the memo with entries that a garbage
 * collection of the whole heap must then clear (measured: that churn cost more than the HMACs).
 *
 * Bounded: it never holds more than `capacity` entries. It keeps two generations of at most half
 * each; when the newer one is full, the older one is forgotten and the newer one takes its place,
 * and a value found in the older one moves back to the newer one. So what is used keeps its
 * entry. It lives only in the function's memory (never written anywhere), for the life of the
 * container; docs/privacy.md.
 */
export class KeyedHashMemo {
  /** The default bound: 10,000 entries, ~270 bytes each for a 20-character email: ~2.7 MB. */
  static readonly DEFAULT_CAPACITY = 10_000;

  private newer = new Map<string, string>();
  private older = new Map<string, string>();
  private readonly generation: number;
  /** Fingerprints of texts hashed once and not (yet) kept, by slot: 64 KB. */
  private readonly seenOnce = new Int32Array(FINGERPRINT_SLOTS);

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

  /** The hash of `text`: from memory when held, else made by `hash` (and kept if seen before). */
  hashOf(text: string): string {
    const held = this.newer.get(text);
    if (held !== undefined) return held;
    const old = this.older.get(text);
    if (old !== undefined) {
      this.keep(text, old);
      return old;
    }
    const value = this.hash(text);
    if (this.seenBefore(text)) this.keep(text, value);
    return value;
  }

  private keep(text: string, value: string): void {
    if (this.newer.size >= this.generation) {
      this.older = this.newer;
      this.newer = new Map();
    }
    this.newer.set(text, value);
  }

  /** `true` when `text`'s fingerprint is in its slot; else puts it there. */
  private seenBefore(text: string): boolean {
    // FNV-1a over the UTF-16 code units: cheap, and spread enough for a filter that may err.
    let fingerprint = 0x811c9dc5;
    for (let at = 0; at < text.length; at++) {
      fingerprint = Math.imul(fingerprint ^ text.charCodeAt(at), 0x01000193);
    }
    const slot = fingerprint & (FINGERPRINT_SLOTS - 1);
    if (this.seenOnce[slot] === fingerprint) return true;
    this.seenOnce[slot] = fingerprint;
    return false;
  }
}
