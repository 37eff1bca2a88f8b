import type { CloudFormationCustomResourceEvent, CloudFormationCustomResourceResponse } from 'aws-lambda';
import { addMissingWriteKeys } from './add-missing-write-keys';
import type { SecretStore } from './secrets-manager-secret-store';

/** The custom resource's properties, as the construct writes them (lib/constructs/write-keys-secret.ts). */
export interface WriteKeysResourceProperties {
  /** The write-keys secret's ARN. */
  readonly SecretId: string;
  /** Every source the collector takes: each gets a generated key unless the secret has an entry. */
  readonly SourceIds: readonly string[];
}

/** The custom resource's properties are not what the construct writes. */
export class InvalidWriteKeysPropertiesError extends Error {
  override readonly name = 'InvalidWriteKeysPropertiesError';
}

export interface WriteKeysProvisionerDependencies {
  readonly store: SecretStore;
  readonly generateKey: () => string;
  /** Delivers the answer to CloudFormation (the request's `ResponseURL`). */
  readonly respond: (responseUrl: string, response: CloudFormationCustomResourceResponse) => Promise<void>;
  /** One line per request: what was done, never a key. */
  readonly log: (entry: Record<string, unknown>) => void;
}

/** The time left to the provisioner, at most; the rest is kept to answer CloudFormation. */
export interface InvocationBudget {
  getRemainingTimeInMillis(): number;
}

/** Kept from the invocation's time to send CloudFormation a failure instead of leaving it waiting. */
const ANSWER_RESERVE_MS = 5_000;
/** CloudFormation shows at most this much of a failure's reason. */
const MAX_REASON_LENGTH = 1_000;

function propertiesOf(event: CloudFormationCustomResourceEvent): WriteKeysResourceProperties {
  const { SecretId, SourceIds } = event.ResourceProperties as Record<string, unknown>;
  if (typeof SecretId !== 'string' || SecretId === '') {
    throw new InvalidWriteKeysPropertiesError('SecretId must be the write-keys secret ARN');
  }
  if (!Array.isArray(SourceIds) || !SourceIds.every((id) => typeof id === 'string' && id !== '')) {
    throw new InvalidWriteKeysPropertiesError('SourceIds must be a list of source ids');
  }
  return { SecretId, SourceIds };
}

/**
 * The write-keys custom resource (`Custom::WriteKeys`): on Create and Update, adds a generated key
 * for each source in `SourceIds` that has no entry in the secret, and writes the secret only when it
 * added one; an entry that is there is never overwritten. Delete does nothing: the secret (retained
 * by default) outlives the resource. Every request is answered, a failure with its reason, before
 * the invocation's time runs out, so a stack never waits for CloudFormation's one-hour timeout.
 */
export function createWriteKeysProvisioner(dependencies: WriteKeysProvisionerDependencies) {
  const { store, generateKey, respond, log } = dependencies;

  async function provision(event: CloudFormationCustomResourceEvent): Promise<readonly string[]> {
    if (event.RequestType === 'Delete') return [];
    const { SecretId, SourceIds } = propertiesOf(event);
    const current = await store.read(SecretId);
    const { secretString, added } = addMissingWriteKeys(current, SourceIds, generateKey);
    if (added.length > 0) await store.write(SecretId, secretString);
    return added;
  }

  return async (event: CloudFormationCustomResourceEvent, budget: InvocationBudget): Promise<void> => {
    const physicalResourceId =
      event.RequestType === 'Create'
        ? `${event.LogicalResourceId}:${String(event.ResourceProperties.SecretId)}`
        : event.PhysicalResourceId;
    const common = {
      PhysicalResourceId: physicalResourceId,
      StackId: event.StackId,
      RequestId: event.RequestId,
      LogicalResourceId: event.LogicalResourceId,
    };
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error('the write-keys secret did not answer in time; deploy again')),
        Math.max(0, budget.getRemainingTimeInMillis() - ANSWER_RESERVE_MS),
      );
    });
    let response: CloudFormationCustomResourceResponse;
    try {
      const added = await Promise.race([provision(event), deadline]);
      log({ requestType: event.RequestType, addedSourceIds: added });
      response = { ...common, Status: 'SUCCESS', Data: { AddedSourceIds: added.join(',') } };
    } catch (error) {
      const reason = `${(error as Error).name}: ${(error as Error).message}`;
      log({ requestType: event.RequestType, error: reason });
      response = { ...common, Status: 'FAILED', Reason: reason.slice(0, MAX_REASON_LENGTH) };
    } finally {
      clearTimeout(timer);
    }
    await respond(event.ResponseURL, response);
  };
}
