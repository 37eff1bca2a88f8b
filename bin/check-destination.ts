/**
 * `npm run check-destination`: the "test connection" of a destination. Assumes its writer role with
 * the external ID (as the collector does) and puts one clearly marked test record, or says which
 * step fails, what it means and what to change. Exit 0: every destination works; 1: one does not;
 * 2: the command line or configuration is wrong.
 */
import { isLoopbackUrl, LOCAL_CALLER_CREDENTIALS } from '../local/local-config';
import { CHECK_USAGE, CheckUsageError, destinationsToCheck } from '../tools/check/check-args';
import { CHECK_PARTITION_KEY, checkDestination } from '../tools/check/check-destination';

async function main(): Promise<number> {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const destinations = destinationsToCheck(process.argv.slice(2));
  if (destinations === 'help') {
    console.log(CHECK_USAGE);
    return 0;
  }
  let allOk = true;
  for (const destination of destinations) {
    console.log(`kinesis-event-forwarder check: destination "${destination.id}"`);
    // A loopback STS is local mode's: it takes the fixed local keys, so no AWS credentials are needed.
    const local = destination.stsEndpoint !== undefined && isLoopbackUrl(destination.stsEndpoint);
    const report = await checkDestination(
      destination,
      local ? { callerCredentials: { ...LOCAL_CALLER_CREDENTIALS } } : {},
    );
    for (const step of report.steps) {
      if (step.ok) {
        console.log(`  ok      ${step.description}: ${step.detail}`);
        continue;
      }
      console.log(`  FAILED  ${step.description}: ${step.errorCode}: ${step.errorMessage}`);
      if (step.meaning) console.log(`          means: ${step.meaning}`);
      if (step.fix) console.log(`          fix:   ${step.fix}`);
    }
    if (report.ok) {
      console.log(
        `OK: the collector can write to "${destination.id}" (test record event_id ${report.eventId}, partition key ${CHECK_PARTITION_KEY})`,
      );
    } else {
      allOk = false;
      const failedStep = report.steps.find((step) => !step.ok);
      console.log(`FAILED at step "${failedStep?.name}" for "${destination.id}"`);
    }
  }
  return allOk ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: Error) => {
    console.error(`check-destination: ${error.message}`);
    if (error instanceof CheckUsageError) console.error(CHECK_USAGE);
    process.exit(2);
  },
);
