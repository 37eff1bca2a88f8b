/**
 * Which browser origins a source allows, computed one way for the collector's CORS policy
 * (`lambda/http/cors.ts`) and for the deployed API's preflight configuration, which synth derives
 * from a configuration document (`lib/config/read-collector-document.ts`).
 */

/** A source's own `allowedOrigins` when it has them, else the document's `cors.allowedOrigins`. */
export function effectiveOrigins(
  own: readonly string[] | undefined,
  fallback: readonly string[],
): readonly string[] {
  return own ?? fallback;
}

/**
 * An origin as API Gateway's preflight configuration can hold it: exact origins, `*`, `https://*`
 * and `http://*` as they are; a one-label wildcard (`https://*.example.com`) widened to its scheme's
 * wildcard (`https://*`), since API Gateway matches no other pattern (the collector still answers
 * 403 to the origins the source does not allow). `undefined`: a pattern neither can read.
 */
export function apiGatewayOrigin(origin: string): string | undefined {
  if (!origin.includes('*')) return origin;
  if (origin === '*' || origin === 'https://*' || origin === 'http://*') return origin;
  const oneLabel = /^(https?):\/\/\*\.[A-Za-z0-9.-]+(:\d{1,5})?$/.exec(origin);
  return oneLabel === null ? undefined : `${oneLabel[1]}://*`;
}
