import { forkBenchChild } from './child';

/**
 * The user agents the enrichment section cycles through (issue 36: device parsing "measured on a
 * named mix"): what a consumer site's traffic looks like, one crawler in ten.
 */
export const BENCH_USER_AGENTS = {
  'Chrome 126, Windows':
    'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36',
  'Safari 17, iPhone':
    'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1',
  'Chrome 126, Android':
    'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Mobile Safari/537.36',
  'Safari 17, macOS':
    'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15',
  'Firefox 128, Linux': 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0',
  'Edge 126, Windows':
    'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36 Edg/126.0.0.0',
  'Samsung Internet, Galaxy Tab':
    'Mozilla/5.0 (Linux; Android 13; SM-X710) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/25.0 Chrome/121.0.0.0 Safari/537.36',
  'Safari, iPad':
    'Mozilla/5.0 (iPad; CPU OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1',
  'Chrome 125, Windows':
    'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/125.0.0.0 Safari/537.36',
  Googlebot: 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)',
} as const;

/**
 * The measured cases, microseconds per event of a 500-event batch: no pipeline (the baseline),
 * each enrichment and all three, each field rule on `*.email` (two per event), and the suppression
 * check with a warm cache. `hash` hashes values that repeat from batch to batch (each user's email,
 * as real traffic repeats it: the memo of keyed hashes answers); `hash-new` the same rule on emails
 * no event had before (two HMACs per event: what the memo cannot save).
 */
export type EnrichmentCaseId =
  | 'none'
  | 'bot'
  | 'geo'
  | 'device'
  | 'all'
  | 'hash'
  | 'hash-new'
  | 'drop'
  | 'mask'
  | 'suppression';

export interface EnrichmentResult {
  readonly batch: number;
  /** Distinct client IPs the batch cycles through (public IPv4 and IPv6 addresses). */
  readonly addresses: number;
  /**
   * Samples of microseconds per event, by case; sample `i` of every case comes from round `i`.
   * `hash-new` is absent from results of before it was measured.
   */
  readonly microsPerEvent: Readonly<Record<Exclude<EnrichmentCaseId, 'hash-new'>, number[]>> & {
    readonly 'hash-new'?: number[];
  };
}

/** Runs bench/enrichment-child.ts in a fresh process (no JIT or module state shared). */
export async function measureEnrichment(): Promise<EnrichmentResult> {
  const child = forkBenchChild('enrichment-child.ts');
  try {
    const { result } = await child.next<{ result: EnrichmentResult }>('result');
    return result;
  } finally {
    await child.stop();
  }
}
