/** The fields of a destination only CloudFormation knows, which `COLLECTOR_DESTINATIONS` may set. */
const DEPLOYED_FIELDS = ['streamName', 'failedStreamName', 'region', 'roleArn', 'externalId'] as const;

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * A configuration document with the deploy-time values of `COLLECTOR_DESTINATIONS` merged in:
 * `{ "<destinationId>": { "streamName", "failedStreamName", "region", "roleArn", "externalId" } }`,
 * written by the CDK app for the destination it binds to the stream stack (generated stream names,
 * the writer role's ARN). Each id must be a destination of the document; the merged document is then
 * validated like any other. The document itself is not changed. A problem is returned, not thrown,
 * for the caller to report as its configuration error.
 */
export function withDeployedDestinations(
  document: unknown,
  deployed: string,
): { readonly document: unknown } | { readonly problem: string } {
  let values: unknown;
  try {
    values = JSON.parse(deployed);
  } catch (error) {
    return { problem: `COLLECTOR_DESTINATIONS is not JSON (${(error as Error).message})` };
  }
  if (!isObject(values)) {
    return { problem: 'COLLECTOR_DESTINATIONS must be a JSON object of destinations by id' };
  }
  if (!isObject(document) || !Array.isArray(document.destinations)) return { document };
  const destinations = document.destinations as unknown[];
  const ids = new Set(
    destinations.map((destination) => (isObject(destination) ? destination.id : undefined)),
  );
  for (const [id, fields] of Object.entries(values)) {
    if (!ids.has(id)) {
      return {
        problem: `COLLECTOR_DESTINATIONS names destination "${id}", which the configuration document does not have: deploy the document and the stack together`,
      };
    }
    const unknown = isObject(fields)
      ? Object.keys(fields).filter((field) => !(DEPLOYED_FIELDS as readonly string[]).includes(field))
      : ['(not an object)'];
    if (unknown.length > 0) {
      return {
        problem: `COLLECTOR_DESTINATIONS.${id}: ${unknown.join(', ')} cannot be set at deploy; only ${DEPLOYED_FIELDS.join(', ')}`,
      };
    }
  }
  const byId = values;
  return {
    document: {
      ...document,
      destinations: destinations.map((destination) => {
        const deployedValues = isObject(destination) ? byId[String(destination.id)] : undefined;
        return isObject(destination) && isObject(deployedValues)
          ? { ...destination, ...deployedValues }
          : destination;
      }),
    },
  };
}
