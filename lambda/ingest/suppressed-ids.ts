import type { RuntimeSource } from '../config/runtime-config';
import type { SuppressionCheck } from '../delivery/suppression-check';
import { idsOfMessage } from '../events/suppression';
import { SuppressionUnavailableError } from '../http/http-error';

const NO_SUPPRESSED_IDS: ReadonlySet<string> = new Set();

/**
 * The suppressed ids among a request's messages, in one batched lookup, for a source with
 * `suppression` on; none otherwise. A lookup that fails refuses the whole request with 503 (fail
 * closed): an erasure request outweighs availability, and the SDKs send the batch again.
 */
export async function suppressedIdsOf(
  check: SuppressionCheck | undefined,
  source: RuntimeSource,
  messages: readonly unknown[],
): Promise<ReadonlySet<string>> {
  if (source.suppression?.enabled !== true) return NO_SUPPRESSED_IDS;
  if (check === undefined) {
    throw new SuppressionUnavailableError(source.id, new Error('no suppression list is configured'));
  }
  try {
    return await check.suppressedIds(source.id, messages.flatMap(idsOfMessage));
  } catch (error) {
    throw new SuppressionUnavailableError(source.id, error);
  }
}
