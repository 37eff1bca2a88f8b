import { readFileSync } from 'node:fs';
import { InvalidConfigError, parseRuntimeConfig } from '../../lambda/config/runtime-config';
import { apiGatewayOrigin, effectiveOrigins } from '../../lambda/contract/cors-origins';
import type { ContextReader } from './context-reader';
import type { CollectorDocument, DeployEnvironment, Topology } from './deploy-config';

/**
 * The context keys a configuration document replaces, each with the document field to use instead:
 * with `collectorConfig`, setting one of them is refused, so a value is never given twice.
 */
export const KEYS_THE_DOCUMENT_REPLACES: Readonly<Record<string, string>> = {
  sourceId: 'sources[].id',
  destinationId: 'destinations[].id',
  partitionKey: 'sources[].partitionKey',
  allowedOrigins: 'cors.allowedOrigins (or sources[].allowedOrigins)',
  corsMaxAgeSeconds: 'cors.maxAgeSeconds',
  writerRoleArn: 'destinations[].roleArn',
  streamArn: 'destinations[].streamName and destinations[].region',
  externalId: 'destinations[].externalId',
  failedStreamName: 'destinations[].failedStreamName',
};

/**
 * The largest document synth ships: it travels in one shell argument of the bundling command
 * (Linux allows 128 KiB per argument), and a document this large is better kept in SSM.
 */
export const MAX_DOCUMENT_BYTES = 96 * 1024;

/** Fields that only make sense on this machine, and how to deploy without them. */
const LOCAL_ONLY_SOURCE_FIELDS: Readonly<Record<string, string>> = {
  writeKeys:
    'write keys are not deployed in the document; remove them and keep each source\'s keys in the write-keys secret (the WriteKeysSecretArn output, {"<sourceId>": ["<key>"]}): deploy adds a generated key for each source that has none',
};
const LOCAL_ONLY_DESTINATION_FIELDS: Readonly<Record<string, string>> = {
  credentials:
    "static keys would sit in the function's code asset; remove them and give roleArn + externalId of a role that may write the stream",
  endpoint:
    'a deployed collector writes to Kinesis in AWS; remove it (locally a destination without endpoint writes to the emulator)',
  stsEndpoint:
    'a deployed collector assumes roles through the regional AWS STS; remove it (local mode plays the role itself)',
};

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** `sources.<index>.<field>` of every local-only field the document holds, with the fix. */
function localOnlyFields(document: unknown): string[] {
  if (!isObject(document)) return [];
  const problems: string[] = [];
  const scan = (list: unknown, name: string, fields: Readonly<Record<string, string>>) => {
    if (!Array.isArray(list)) return;
    list.forEach((item, index) => {
      if (!isObject(item)) return;
      for (const [field, fix] of Object.entries(fields)) {
        if (item[field] !== undefined) problems.push(`${name}.${index}.${field}: ${fix}`);
      }
    });
  };
  scan(document.sources, 'sources', LOCAL_ONLY_SOURCE_FIELDS);
  scan(document.destinations, 'destinations', LOCAL_ONLY_DESTINATION_FIELDS);
  return problems;
}

/** What the topology lets a document's destinations be, in problems naming the field. */
function bindingProblems(
  destinations: CollectorDocument['config']['destinations'],
  topology: Topology,
  failedEventsStream: boolean,
): { problems: string[]; boundDestinationId?: string } {
  const problems: string[] = [];
  let bound: { id: string; index: number } | undefined;
  destinations.forEach((destination, index) => {
    if (destination.roleArn !== undefined) {
      if (destination.externalId === undefined) {
        problems.push(
          `destinations.${index}.externalId: required to assume roleArn from AWS; give the external ID the role's trust policy requires`,
        );
      }
      return;
    }
    if (topology !== 'same-account') {
      problems.push(
        `destinations.${index}.roleArn: required when the collector is deployed alone (no externalIds, so no stream stack to bind "${destination.id}" to); give roleArn, externalId, streamName and region of its stream, or deploy with -c externalIds=... to bind it to the stream stack`,
      );
    } else if (bound !== undefined) {
      problems.push(
        `destinations.${index}.roleArn: only one destination without roleArn is bound to the stream stack ("${bound.id}", destinations.${bound.index}); give "${destination.id}" roleArn, externalId, streamName and region of its own stream`,
      );
    } else {
      bound = { id: destination.id, index };
      if (destination.failedStreamName !== undefined && !failedEventsStream) {
        problems.push(
          `destinations.${index}.failedStreamName: the stream stack creates no failed-events stream (failedEventsStream=false); remove it or leave failedEventsStream on`,
        );
      }
    }
  });
  return { problems, ...(bound === undefined ? {} : { boundDestinationId: bound.id }) };
}

/**
 * The origins the deployed API answers preflights for: every source's origins, computed as the
 * collector's CORS policy computes them, each as API Gateway can hold it.
 */
function apiOrigins(config: CollectorDocument['config']): { origins: string[]; problems: string[] } {
  const origins = new Set<string>();
  const problems: string[] = [];
  config.sources.forEach((source, index) => {
    const field =
      source.allowedOrigins === undefined ? 'cors.allowedOrigins' : `sources.${index}.allowedOrigins`;
    for (const origin of effectiveOrigins(source.allowedOrigins, config.cors.allowedOrigins)) {
      const atApi = apiGatewayOrigin(origin);
      if (atApi === undefined) {
        problems.push(
          `${field}: "${origin}" is a pattern neither API Gateway nor the collector matches; use *, an exact origin like https://www.example.com, or a one-label wildcard like https://*.example.com`,
        );
      } else {
        origins.add(atApi);
      }
    }
  });
  return { origins: origins.has('*') ? ['*'] : [...origins], problems };
}

/**
 * `collectorConfig`: the configuration document to deploy (docs/deploying.md "Deploy a configuration
 * document"), read from the path given and validated with the Lambda's own schema, so synth refuses
 * what a cold start would, with the same field-named messages. Also refused, each with its fix: the
 * fields that only work locally, destinations the topology cannot bind, origins API Gateway cannot
 * hold, and the context keys the document replaces. `undefined` without the key.
 */
export function readCollectorDocument(
  reader: ContextReader,
  environment: DeployEnvironment,
  topology: Topology,
  failedEventsStream: boolean,
): CollectorDocument | undefined {
  const path = reader.string('collectorConfig');
  if (path === undefined) return undefined;
  for (const [key, field] of Object.entries(KEYS_THE_DOCUMENT_REPLACES)) {
    if (reader.has(key)) {
      reader.problems.push(
        `${key}: the configuration document replaces it; set ${field} in ${path} and remove -c ${key}`,
      );
    }
  }
  const problem = (text: string) => reader.problems.push(`collectorConfig: ${path}: ${text}`);
  let text: string;
  try {
    text = (environment.readFile ?? ((file: string) => readFileSync(file, 'utf8')))(path);
  } catch (error) {
    problem(
      `cannot be read (${(error as Error).message}); give the path of a JSON configuration document (docs/configuration.md), relative to where you run cdk`,
    );
    return undefined;
  }
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    problem(`is not JSON (${(error as Error).message})`);
    return undefined;
  }
  const compact = JSON.stringify(document);
  if (Buffer.byteLength(compact) > MAX_DOCUMENT_BYTES) {
    problem(
      `is ${Buffer.byteLength(compact)} bytes of compact JSON, more than the ${MAX_DOCUMENT_BYTES} synth ships; share tracking plans by name (trackingPlans) or keep the document in SSM (COLLECTOR_CONFIG_PARAMETER)`,
    );
  }
  for (const local of localOnlyFields(document)) problem(local);
  let config: CollectorDocument['config'];
  try {
    config = parseRuntimeConfig(document, `document ${path}`, { writeKeysFromSecret: true });
  } catch (error) {
    if (!(error instanceof InvalidConfigError)) throw error;
    for (const line of error.message.split('\n').slice(1)) problem(line.replace(/^\s*-\s*/, ''));
    return undefined;
  }
  const binding = bindingProblems(config.destinations, topology, failedEventsStream);
  for (const text of binding.problems) problem(text);
  const cors = apiOrigins(config);
  for (const text of cors.problems) problem(text);
  return {
    path,
    document: document as CollectorDocument['document'],
    config,
    apiOrigins: cors.origins,
    ...(binding.boundDestinationId === undefined ? {} : { boundDestinationId: binding.boundDestinationId }),
  };
}
