// Tests assert behaviour, not log lines: keep Powertools quiet unless a test captures logs itself.
process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
// aws-cdk-lib's built-in CloudFormation schema validation starts a WASM engine on the first synth of
// every test file (~3 s each, most of a CDK test file's time). In-process test synths skip it; the
// real `npx cdk synth` of the default topology (test/support/cli-synth.ts) gets a clean environment
// and runs it as a deploy does, and test/lib/cdk-synth-cli.test.ts checks its report
// (test/README.md lists which CLI runs skip it and why).
process.env.CDK_VALIDATION ??= 'false';
