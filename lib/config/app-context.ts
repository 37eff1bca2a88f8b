import { type ContextLookup, ContextReader } from './context-reader';
import { InvalidDeployConfigError } from './invalid-deploy-config-error';

/**
 * The ids of the synth warnings this app raises, by the short name `-c acknowledgeWarnings=` takes.
 * `cdk synth` prints each with "Acknowledge with 'Annotation::<id>'"; that full form is accepted too.
 */
export const SYNTH_WARNING_IDS = {
  concurrency: 'kinesis-event-forwarder:concurrency',
  'throttling-quota': 'kinesis-event-forwarder:throttling-quota',
} as const;

/** The short name of a synth warning (`concurrency`, `throttling-quota`). */
export type SynthWarningName = keyof typeof SYNTH_WARNING_IDS;

/**
 * The context keys `bin/app.ts` reads for itself, about the synth rather than the stacks: they are
 * known keys, never reported as typos.
 */
export const APP_CONTEXT_KEYS = ['allowUnknownContext', 'acknowledgeWarnings'] as const;

/** How `bin/app.ts` treats unknown context keys and this app's synth warnings. */
export interface AppContext {
  /** `-c allowUnknownContext=true`: an unknown key is a warning instead of a failed synth. */
  readonly allowUnknownContext: boolean;
  /** Full ids (`Annotation::kinesis-event-forwarder:...`) of the warnings the owner acknowledged. */
  readonly acknowledgedWarnings: readonly string[];
}

const ANNOTATION_PREFIX = 'Annotation::';

function warningIdOf(name: string): string | undefined {
  const bare = name.startsWith(ANNOTATION_PREFIX) ? name.slice(ANNOTATION_PREFIX.length) : name;
  const id =
    SYNTH_WARNING_IDS[bare as SynthWarningName] ??
    Object.values(SYNTH_WARNING_IDS).find((known) => known === bare);
  return id === undefined ? undefined : `${ANNOTATION_PREFIX}${id}`;
}

/**
 * Reads `allowUnknownContext` and `acknowledgeWarnings` (a comma-separated list of warning names,
 * or the ids `cdk synth` prints); throws {@link InvalidDeployConfigError} naming the key and the
 * accepted values. Pure: `bin/app.ts` passes `app.node.tryGetContext`.
 */
export function readAppContext(lookup: ContextLookup): AppContext {
  const reader = new ContextReader(lookup);
  const allowUnknownContext = reader.boolean('allowUnknownContext', false);
  const acknowledgedWarnings: string[] = [];
  for (const name of reader.list('acknowledgeWarnings') ?? []) {
    const id = warningIdOf(name);
    if (id === undefined) {
      reader.problems.push(
        `acknowledgeWarnings: "${name}" is not a warning of this app; use ${Object.keys(SYNTH_WARNING_IDS).join(' or ')} (comma-separated for both)`,
      );
    } else if (!acknowledgedWarnings.includes(id)) {
      acknowledgedWarnings.push(id);
    }
  }
  if (reader.problems.length > 0) throw new InvalidDeployConfigError(reader.problems);
  return { allowUnknownContext, acknowledgedWarnings };
}
