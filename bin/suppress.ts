/**
 * `npm run suppress -- ...`: suppresses a user of a source (its events are answered as accepted and
 * dropped, docs/privacy.md), lifts it, or lists the source's suppressed ids (as keyed hashes).
 * Exit code 0 when done, 1 on failure, 2 on bad usage.
 *
 *   npm run suppress -- add --source web --user-id u-42                (npm start's dynalite)
 *   npm run suppress -- remove --source web --anonymous-id a-7
 *   npm run suppress -- list --source web --table <SuppressionTableName> --hash-key-secret <HashKeySecretArn>
 */
import { runSuppress } from '../tools/suppress/run-suppress';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
runSuppress(process.argv.slice(2), process.env).then(
  (code) => process.exit(code),
  (error: Error) => {
    console.error(`suppress: ${error.message}`);
    process.exit(1);
  },
);
