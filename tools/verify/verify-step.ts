/** How one step of `npm run verify-deployment` went. */
export type VerifyStatus = 'ok' | 'failed' | 'not-checked';

/** One step of the verification: what was checked, how it went, and for a failure what to change. */
export interface VerifyStep {
  readonly name: VerifyStepName;
  /** What the step checks, as the report shows it. */
  readonly description: string;
  readonly status: VerifyStatus;
  /** What the step found (ok), or why it could not check (not-checked). */
  readonly detail?: string;
  /** The AWS error code (or the collector's status) of a failed step. */
  readonly errorCode?: string;
  readonly errorMessage?: string;
  /** What the failure means for the deployment, and what to change: every failed step has both. */
  readonly meaning?: string;
  readonly fix?: string;
}

/** The steps, in the order they run and print. */
export const VERIFY_STEP_NAMES = [
  'outputs',
  'test-event',
  'failed-event',
  'alarm-topic',
  'alarms',
  'writer-trust',
] as const;
export type VerifyStepName = (typeof VERIFY_STEP_NAMES)[number];

/** What each step checks, as the report shows it. */
export const VERIFY_STEP_DESCRIPTIONS: Readonly<Record<VerifyStepName, string>> = {
  outputs: 'the stacks are deployed and have their outputs',
  'test-event': 'a test event sent to the collector URL lands in the event stream',
  'failed-event': 'the failed-events stream takes an invalid test event',
  'alarm-topic': 'the alarm topic lets CloudWatch publish and has a confirmed subscription',
  alarms: 'every alarm of the stacks exists and none is in ALARM',
  'writer-trust': "the writer role's trust names the collector role",
};

/** What a failure means and how to fix it. */
export interface VerifyProblem {
  readonly meaning: string;
  readonly fix: string;
}

/** A step that passed, with what it found. */
export const passed = (name: VerifyStepName, description: string, detail: string): VerifyStep => ({
  name,
  description,
  status: 'ok',
  detail,
});

/** A step that could not be checked here, with the reason (and what would let it be checked). */
export const notChecked = (name: VerifyStepName, description: string, reason: string): VerifyStep => ({
  name,
  description,
  status: 'not-checked',
  detail: reason,
});

/** A step that found a problem that is not an AWS error (a missing output, a wrong answer). */
export const found = (
  name: VerifyStepName,
  description: string,
  errorCode: string,
  errorMessage: string,
  problem: VerifyProblem,
): VerifyStep => ({
  name,
  description,
  status: 'failed',
  errorCode,
  errorMessage,
  meaning: problem.meaning,
  fix: problem.fix,
});

const LABELS: Readonly<Record<VerifyStatus, string>> = {
  ok: 'ok          ',
  failed: 'FAILED      ',
  'not-checked': 'not checked ',
};
const INDENT = ' '.repeat(14);

/**
 * The report's lines, one block a step, in the style of `npm run check-destination`: a status
 * label, the description and what was found; a failed step adds its `means:` and `fix:` lines.
 */
export function formatVerifyStep(step: VerifyStep): string[] {
  const label = `  ${LABELS[step.status]}${step.description}`;
  if (step.status !== 'failed') return [`${label}: ${step.detail ?? ''}`];
  return [
    `${label}: ${step.errorCode}: ${step.errorMessage}`,
    ...(step.meaning === undefined ? [] : [`${INDENT}means: ${step.meaning}`]),
    ...(step.fix === undefined ? [] : [`${INDENT}fix:   ${step.fix}`]),
  ];
}

/** The last line: OK when nothing failed (steps not checked are counted), else the failed steps. */
export function verifySummary(stack: string, steps: readonly VerifyStep[]): string {
  const failed = steps.filter((step) => step.status === 'failed').map((step) => step.name);
  const skipped = steps.filter((step) => step.status === 'not-checked').length;
  const notes = skipped === 0 ? '' : ` (${skipped} not checked: see above)`;
  return failed.length === 0
    ? `OK: stack "${stack}" passed ${steps.length - skipped} of ${steps.length} checks${notes}`
    : `FAILED: stack "${stack}": ${failed.join(', ')}${notes}`;
}
