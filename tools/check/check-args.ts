import { parseArgs } from 'node:util';
import {
  parseRuntimeConfig,
  type RuntimeDestination,
  readRuntimeConfig,
} from '../../lambda/config/runtime-config';

export const CHECK_USAGE = `usage: npm run -s check-destination -- (--config FILE [--destination ID] | --stream NAME --region REGION [options])
  --config FILE          a collector configuration document; checks --destination (default: every destination)
  --destination ID       the destination of --config to check
  --stream NAME          the stream to write the test record to
  --region REGION        its region
  --role-arn ARN         the writer role to assume (as destinations[].roleArn)
  --external-id ID       the external ID its trust policy requires
  --endpoint URL         a Kinesis-compatible endpoint (the local emulator)
  --sts-endpoint URL     an STS endpoint (the local STS)
  --help                 this text`;

/** The command line is wrong; the message says how. */
export class CheckUsageError extends Error {
  override readonly name = 'CheckUsageError';
}

/** The destinations the command line names, validated like the collector validates them. */
export function destinationsToCheck(argv: readonly string[]): RuntimeDestination[] | 'help' {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        config: { type: 'string' },
        destination: { type: 'string' },
        stream: { type: 'string' },
        region: { type: 'string' },
        'role-arn': { type: 'string' },
        'external-id': { type: 'string' },
        endpoint: { type: 'string' },
        'sts-endpoint': { type: 'string' },
        help: { type: 'boolean' },
      },
      strict: true,
    }));
  } catch (error) {
    throw new CheckUsageError((error as Error).message);
  }
  if (values.help) return 'help';
  const text = (name: string) => (typeof values[name] === 'string' ? (values[name] as string) : undefined);
  const configFile = text('config');
  if (configFile !== undefined) {
    const config = readRuntimeConfig({
      COLLECTOR_CONFIG_FILE: configFile,
      WRITE_KEYS_SECRET_ARN: 'not-needed',
    });
    const id = text('destination');
    const chosen = config.destinations.filter((destination) => id === undefined || destination.id === id);
    if (chosen.length === 0) throw new CheckUsageError(`no destination "${id}" in ${configFile}`);
    return chosen;
  }
  const stream = text('stream');
  const region = text('region') ?? process.env.AWS_REGION;
  if (stream === undefined || region === undefined) {
    throw new CheckUsageError('give --config FILE, or --stream and --region (or AWS_REGION)');
  }
  const document = {
    sources: [{ id: 'check', destinations: ['check'] }],
    destinations: [
      {
        id: 'check',
        streamName: stream,
        region,
        roleArn: text('role-arn'),
        externalId: text('external-id'),
        endpoint: text('endpoint'),
        stsEndpoint: text('sts-endpoint'),
        ...(text('endpoint')?.startsWith('http://') && text('role-arn') === undefined
          ? { credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }
          : {}),
      },
    ],
  };
  return parseRuntimeConfig(document, 'command line', { writeKeysFromSecret: true }).destinations;
}
