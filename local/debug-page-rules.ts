import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type { RuntimeConfig } from '../lambda/config/runtime-config';
import {
  type FieldHashKey,
  hasNoFieldRules,
  LOCAL_DEV_HASH_KEY,
  type RedactionRules,
} from '../lambda/events/field-rules';
import { redact } from '../lambda/events/pipeline';
import { WriteKeyRegistry, writeKeyFromAuthorization } from '../lambda/http/write-key';

/**
 * How the live events page shows what a request carried (issue 36): as the streams keep it, never
 * more. Events the page reads back from the streams already are; this is for the collector's
 * answers (refused, undelivered, duplicate events), which the page pairs with the message as sent.
 */
export interface PageView {
  /** A message of the request as its source's field rules leave it; `undefined`: not shown at all. */
  message(message: unknown): unknown;
  /** Why the body of a request that cannot be parsed is not shown; `undefined`: it is shown. */
  readonly rawBodyHidden?: string;
}

/** The view of one request: its source from the write key (header, `?writeKey=`, or the body's `writeKey`). */
export type PageViewOf = (event: APIGatewayProxyEventV2, bodyWriteKey?: string) => PageView;

/** Shows every body as sent: a page that knows no field rules (a source without rules). */
export const AS_SENT: PageView = { message: (message) => message };

type SourceRules = Pick<RuntimeConfig['sources'][number], 'id' | 'writeKeys'> & {
  readonly pipeline?: { readonly redact?: RedactionRules };
};

/**
 * The page's view of requests under `sources`' field rules (`pipeline.redact`), with the hash key
 * the collector uses (local mode: the fixed dev key), so a refused message shows exactly as its
 * failure record keeps it. A raw body that cannot be parsed is shown only for a source without rules
 * (no rule can be applied to text); a request whose write key names no source shows nothing of its
 * body while any source has rules, since the page cannot tell which rules would apply.
 */
export function pageViewOf(
  sources: readonly SourceRules[],
  key: FieldHashKey = LOCAL_DEV_HASH_KEY,
): PageViewOf {
  const ruled = sources.filter((source) => !hasNoFieldRules(source.pipeline?.redact));
  if (ruled.length === 0) return () => AS_SENT;
  const owners = new WriteKeyRegistry(
    sources.flatMap((source) => (source.writeKeys ?? []).map((writeKey) => [writeKey, source] as const)),
  );
  const unknown: PageView = {
    message: () => undefined,
    rawBodyHidden: `not shown: the request names no source, and ${ruled.map((source) => `"${source.id}"`).join(', ')} ${ruled.length === 1 ? 'has' : 'have'} field rules (pipeline.redact)`,
  };
  return (event, bodyWriteKey) => {
    const writeKey =
      writeKeyFromAuthorization(event.headers?.authorization) ??
      event.queryStringParameters?.writeKey ??
      bodyWriteKey;
    const source = writeKey === undefined ? undefined : owners.ownerOf(writeKey);
    if (source === undefined) return unknown;
    const rules = source.pipeline?.redact;
    if (hasNoFieldRules(rules)) return AS_SENT;
    return {
      message: (message) =>
        message !== null && typeof message === 'object' && !Array.isArray(message)
          ? redact(message, rules, key)
          : message,
      rawBodyHidden: `not shown: source "${source.id}" has field rules (pipeline.redact), and none can be applied to a body that is not JSON`,
    };
  };
}
