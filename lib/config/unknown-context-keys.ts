/**
 * Context keys nobody reads are a typo more often than not (`-c domainname=...` would leave the
 * domain out silently), so `bin/app.ts` fails the synth on each, naming the closest key the app
 * knows, unless `-c allowUnknownContext=true` (then it warns).
 */

/** An unknown context key and the known key closest to it. */
export interface UnknownContextKey {
  readonly key: string;
  readonly closest: string;
}

/**
 * Keys that belong to the CDK itself, never this app's to judge: feature flags (`@aws-cdk/...`),
 * the toolkit's own settings (`aws:cdk:...`, `aws-cdk:...`, lookups cached in cdk.context.json, all
 * with a `:`), the CLI's (`cli-telemetry`, `acknowledged-issue-numbers`) and its `cdk-*` keys.
 */
export function isCdkContextKey(key: string): boolean {
  return key.startsWith('@') || key.includes(':') || key.startsWith('cdk-') || CDK_CLI_KEYS.has(key);
}

const CDK_CLI_KEYS: ReadonlySet<string> = new Set(['cli-telemetry', 'acknowledged-issue-numbers']);

/** Edit distance between two keys, case ignored (`domainname` is 0 from `domainName`). */
function distance(a: string, b: string): number {
  const left = a.toLowerCase();
  const right = b.toLowerCase();
  let previous = Array.from({ length: right.length + 1 }, (_, index) => index);
  for (let i = 1; i <= left.length; i++) {
    const current = [i];
    for (let j = 1; j <= right.length; j++) {
      const substitution = (previous[j - 1] ?? 0) + (left[i - 1] === right[j - 1] ? 0 : 1);
      current[j] = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution);
    }
    previous = current;
  }
  return previous[right.length] ?? 0;
}

/** The given keys that are neither known nor the CDK's own, each with the closest known key. */
export function unknownContextKeys(given: Iterable<string>, known: readonly string[]): UnknownContextKey[] {
  const knownSet = new Set(known);
  const unknown: UnknownContextKey[] = [];
  for (const key of given) {
    if (knownSet.has(key) || isCdkContextKey(key)) continue;
    let closest = known[0] ?? '';
    for (const candidate of known) {
      if (distance(key, candidate) < distance(key, closest)) closest = candidate;
    }
    unknown.push({ key, closest });
  }
  return unknown;
}
