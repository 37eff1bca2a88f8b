/**
 * Reads CDK context values by type and collects every problem instead of failing at the first, so
 * one `cdk synth` reports all of them; each message names the key and says what to do.
 */

/** Reads one context value; `undefined` when unset. `bin/app.ts` passes `app.node.tryGetContext`. */
export type ContextLookup = (key: string) => unknown;

/** Collects problems while reading context, so one run reports all of them. */
export class ContextReader {
  readonly problems: string[] = [];

  constructor(private readonly lookup: ContextLookup) {}

  has(key: string): boolean {
    const value = this.lookup(key);
    return value !== undefined && value !== null && value !== '';
  }

  string(key: string): string | undefined {
    const value = this.lookup(key);
    if (value === undefined || value === null || value === '') return undefined;
    if (typeof value === 'string') return value.trim();
    if (typeof value === 'number' || typeof value === 'boolean') return String(value);
    this.problems.push(`${key}: expected a string, got ${JSON.stringify(value)}`);
    return undefined;
  }

  /** A list given as a JSON array (cdk.json) or a comma-separated string (`-c key=a,b`). */
  list(key: string): string[] | undefined {
    const value = this.lookup(key);
    if (value === undefined || value === null || value === '') return undefined;
    if (Array.isArray(value) && value.every((item) => typeof item === 'string')) {
      return value.map((item) => item.trim()).filter((item) => item !== '');
    }
    if (typeof value === 'string') {
      return value
        .split(',')
        .map((item) => item.trim())
        .filter((item) => item !== '');
    }
    this.problems.push(`${key}: expected a comma-separated string or a list of strings`);
    return undefined;
  }

  integer(key: string, fallback: number, min: number, max: number, unit = ''): number {
    const raw = this.string(key);
    if (raw === undefined) return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min || value > max) {
      this.problems.push(`${key}: "${raw}" is not valid; use a whole number from ${min} to ${max}${unit}`);
      return fallback;
    }
    return value;
  }

  boolean(key: string, fallback: boolean): boolean {
    const raw = this.string(key);
    if (raw === undefined) return fallback;
    if (raw === 'true') return true;
    if (raw === 'false') return false;
    this.problems.push(`${key}: "${raw}" is not valid; use true or false`);
    return fallback;
  }

  oneOf<T extends string>(key: string, fallback: T, choices: readonly T[]): T {
    const raw = this.string(key);
    if (raw === undefined) return fallback;
    const choice = choices.find((candidate) => candidate.toLowerCase() === raw.toLowerCase());
    if (choice === undefined) {
      this.problems.push(`${key}: "${raw}" is not valid; use one of ${choices.join(', ')}`);
      return fallback;
    }
    return choice;
  }

  matching(key: string, pattern: RegExp, what: string): string | undefined {
    const raw = this.string(key);
    if (raw === undefined) return undefined;
    if (!pattern.test(raw)) {
      this.problems.push(`${key}: "${raw}" is not ${what}`);
      return undefined;
    }
    return raw;
  }
}
