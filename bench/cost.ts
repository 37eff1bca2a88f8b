/**
 * Unit prices for the cost model (US East (N. Virginia), on-demand list prices, no free tier).
 * Each names the AWS page it comes from; `checked` is the date they were used. `source` says how
 * the figure was obtained here (no network on the benchmark machine).
 */
export const PRICES = {
  checked: '2026-11-22',
  httpApiPerMillion: {
    usd: 1.0,
    page: 'Amazon API Gateway pricing (HTTP APIs, first 300 million requests/month; metered per 512 KB)',
    source:
      'AWS whitepaper "Best Practices for Designing Amazon API Gateway Private APIs", Table 4, as stored by the search index',
  },
  restApiPerMillion: {
    usd: 3.5,
    page: 'Amazon API Gateway pricing (REST APIs, first 333 million requests/month)',
    source: 'same AWS whitepaper table',
  },
  lambdaRequestsPerMillion: {
    usd: 0.2,
    page: 'AWS Lambda pricing (requests)',
    source: 'list price as known to the author; matches third-party copies of the page found by search',
  },
  lambdaArmGbSecond: {
    usd: 0.0000133334,
    page: 'AWS Lambda pricing (Arm, first 7.5 billion GB-seconds/month)',
    source: 'list price as known to the author; matches third-party copies of the page found by search',
  },
  kinesisOnDemandIngestPerGb: {
    usd: 0.08,
    page: 'Amazon Kinesis Data Streams pricing (on-demand, data in; each record rounded up to 1 KB)',
    source:
      'rounding rule quoted from the AWS page as stored by the search index; the $0.08/GB figure is the list price as known to the author (the stored excerpt has no number)',
  },
} as const;

/** The cost rows the report names: front door, events per request and writer. */
export type CostId = 'http-api-1' | 'http-api-20' | 'rest-api-1' | 'rest-api-20' | 'http-api-put-record-20';

export interface CostInput {
  /** Only the rows of the cost table have one (the cold-start rows are not looked up). */
  readonly id?: CostId;
  readonly label: string;
  readonly front: 'http-api' | 'rest-api';
  readonly eventsPerRequest: number;
  /** Handler duration per request (ms), before Lambda's 1 ms rounding. */
  readonly durationMs: number;
  readonly memoryMb: number;
  /** Bytes of one Kinesis record (the envelope, or a KPL aggregated record of `eventsPerRecord`). */
  readonly recordBytes: number;
  /** Events one record carries (KPL aggregation packs a user's events into one). @default 1 */
  readonly eventsPerRecord?: number;
}

export interface CostRow extends CostInput {
  readonly frontUsd: number;
  readonly lambdaUsd: number;
  readonly kinesisUsd: number;
  readonly totalUsd: number;
}

/** Dollars per million events for one way of receiving them. */
export function costPerMillionEvents(input: CostInput): CostRow {
  const requests = 1_000_000 / input.eventsPerRequest;
  const frontPrice = input.front === 'http-api' ? PRICES.httpApiPerMillion.usd : PRICES.restApiPerMillion.usd;
  const frontUsd = (requests / 1_000_000) * frontPrice;
  const billedSeconds = Math.ceil(input.durationMs) / 1000;
  const lambdaUsd =
    (requests / 1_000_000) * PRICES.lambdaRequestsPerMillion.usd +
    requests * billedSeconds * (input.memoryMb / 1024) * PRICES.lambdaArmGbSecond.usd;
  const billedKb = Math.ceil(input.recordBytes / 1024) / (input.eventsPerRecord ?? 1);
  const kinesisUsd = ((1_000_000 * billedKb) / (1024 * 1024)) * PRICES.kinesisOnDemandIngestPerGb.usd;
  return { ...input, frontUsd, lambdaUsd, kinesisUsd, totalUsd: frontUsd + lambdaUsd + kinesisUsd };
}
