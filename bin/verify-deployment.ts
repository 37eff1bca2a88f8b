/**
 * `npm run verify-deployment -- --stack <name>`: after `cdk deploy`, checks the live stack as a
 * user would (tools/verify/verify-deployment.ts) and prints each step with what it found, or what
 * it means and how to fix it. Exit 0: no step failed (some may be "not checked"); 1: a step
 * failed; 2: the command line is wrong.
 */
import { fromIni } from '@aws-sdk/credential-providers';
import { emulatorCredentials, isLoopbackUrl } from '../local/local-config';
import { createTailClient, readsTimestampOnClient } from '../tools/tail/tail-client';
import { type AwsService, SERVICE_ENDPOINT_VARIABLES } from '../tools/verify/aws-connection';
import { parseVerifyArgs, VERIFY_USAGE, VerifyUsageError } from '../tools/verify/verify-args';
import { verifyDeployment } from '../tools/verify/verify-deployment';
import { formatVerifyStep, verifySummary } from '../tools/verify/verify-step';

async function main(): Promise<number> {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const command = parseVerifyArgs(process.argv.slice(2), process.env);
  if (command === 'help') {
    console.log(VERIFY_USAGE);
    return 0;
  }
  const { target, connection: stream } = command;
  const endpoints: Partial<Record<AwsService, string>> = {};
  for (const [service, variable] of Object.entries(SERVICE_ENDPOINT_VARIABLES) as [AwsService, string][]) {
    const endpoint = process.env[variable];
    if (endpoint !== undefined && endpoint !== '') endpoints[service] = endpoint;
  }
  // A loopback Kinesis endpoint is local mode's emulator: the stand-ins take its dummy keys.
  const local = stream.endpoint !== undefined && isLoopbackUrl(stream.endpoint);
  const clients = new Map<string, ReturnType<typeof createTailClient>>();
  console.log(
    `kinesis-event-forwarder verify-deployment: stack "${target.stack}" in ${stream.region ?? "the profile's region"}`,
  );
  try {
    const steps = await verifyDeployment(target, {
      connection: {
        ...(stream.region === undefined ? {} : { region: stream.region }),
        endpoints,
        local,
        // --profile signs every call; --role-arn only reads the streams (createTailClient).
        ...(local
          ? { credentials: emulatorCredentials() }
          : stream.profile === undefined
            ? {}
            : { credentials: fromIni({ profile: stream.profile }) }),
      },
      streams: {
        clientFor: (streamName) => {
          const client = clients.get(streamName) ?? createTailClient({ ...stream, streamName });
          clients.set(streamName, client);
          return client;
        },
        timestampOnClient: readsTimestampOnClient(stream),
        how: stream.roleArn === undefined ? 'with these credentials' : `as ${stream.roleArn}`,
      },
    });
    for (const step of steps) for (const line of formatVerifyStep(step)) console.log(line);
    console.log(verifySummary(target.stack, steps));
    return steps.some((step) => step.status === 'failed') ? 1 : 0;
  } finally {
    for (const client of clients.values()) client.destroy();
  }
}

main().then(
  (code) => process.exit(code),
  (error: Error) => {
    console.error(`verify-deployment: ${error.message}`);
    if (error instanceof VerifyUsageError) console.error(VERIFY_USAGE);
    process.exit(2);
  },
);
