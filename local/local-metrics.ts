import { LocalSettingsError } from './local-mode';

/**
 * Where `npm start` sends the collector's CloudWatch metrics: `page` (the default) keeps them off the
 * terminal, where one ~550-character EMF line per request would bury the banner and the warnings;
 * the live events page's counters show the traffic instead. `emf` prints them as the deployed
 * function does (embedded metric format on stdout), to check what CloudWatch would receive.
 */
export type LocalMetrics = 'page' | 'emf';

const MODES: readonly LocalMetrics[] = ['page', 'emf'];

/** `LOCAL_METRICS` of `env`, checked: a value other than `page` or `emf` says which to use. */
export function localMetrics(env: NodeJS.ProcessEnv): LocalMetrics {
  const value = env.LOCAL_METRICS || 'page';
  if (!(MODES as readonly string[]).includes(value)) {
    throw new LocalSettingsError(
      `LOCAL_METRICS=${value} is not a metrics mode: use emf (EMF lines on stdout, as the Lambda prints them) or page (the default: counters on the live events page, none on stdout)`,
    );
  }
  return value as LocalMetrics;
}

/**
 * The Powertools switch that turns the collector's EMF output off (`POWERTOOLS_METRICS_DISABLED`),
 * as `npm start` sets it before the handler is loaded: `true` unless metrics are asked for (`emf`).
 * The deployed function never sets it, so its output is unchanged.
 */
export const powertoolsMetricsDisabled = (mode: LocalMetrics): 'true' | 'false' =>
  mode === 'emf' ? 'false' : 'true';
