import type { Template } from 'aws-cdk-lib/assertions';

/** Resource types that grant a principal access without a policy document. */
const PERMISSION_TYPES = new Set([
  'AWS::Lambda::Permission',
  'AWS::Lambda::LayerVersionPermission',
  'AWS::Events::EventBusPolicy',
]);

/**
 * Whether a template value holds a policy statement naming a `Principal` (a resource-based policy),
 * also inside a policy given as a JSON string (as `AWS::Logs::ResourcePolicy` takes it).
 */
function holdsResourcePolicy(value: unknown): boolean {
  if (typeof value === 'string' && value.includes('"Statement"')) {
    try {
      return holdsResourcePolicy(JSON.parse(value));
    } catch {
      return false;
    }
  }
  if (Array.isArray(value)) return value.some(holdsResourcePolicy);
  if (value === null || typeof value !== 'object') return false;
  const record = value as Record<string, unknown>;
  if (
    Array.isArray(record.Statement) &&
    record.Statement.some(
      (statement: Record<string, unknown>) => 'Principal' in statement || 'NotPrincipal' in statement,
    )
  )
    return true;
  return Object.values(record).some(holdsResourcePolicy);
}

/**
 * Every resource of a template that holds or adds a resource-based policy: a permission resource
 * (Lambda, EventBridge), or any property with a statement naming a principal (topic, queue, key,
 * trust, stream, secret, log and bucket policies alike), by logical id with its type.
 */
export function resourcePolicyHolders(template: Template): string[] {
  const resources = template.toJSON().Resources as Record<string, { Type: string; Properties?: unknown }>;
  return Object.entries(resources)
    .filter(([, resource]) => PERMISSION_TYPES.has(resource.Type) || holdsResourcePolicy(resource.Properties))
    .map(([id, resource]) => `${id} (${resource.Type})`);
}
