/**
 * `npm run decode-stack -- <asset dir> [file]`: reads a stack trace or log lines (from `file`, or
 * stdin) and prints them with every `index.js:line:column` (and lazy module location) turned into
 * `lambda/...ts:line:column` through the source maps in the function's asset directory
 * (`cdk.out/asset.<hash>`, or the code downloaded from the Lambda console).
 */
import { readFileSync } from 'node:fs';
import { assetSourceMaps, decodeStack } from '../tools/stack/decode-stack';

const [assetDir, file] = process.argv.slice(2);
if (assetDir === undefined || assetDir === '--help') {
  console.error('usage: npm run decode-stack -- <asset dir> [file]   (reads stdin without a file)');
  process.exit(assetDir === undefined ? 2 : 0);
}
process.stdout.write(decodeStack(readFileSync(file ?? 0, 'utf8'), assetSourceMaps(assetDir)));
