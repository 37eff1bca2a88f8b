import { FAULTS_PATH } from './faults-route';

/**
 * The live events page's fault switches (local mode only): the same switches as
 * `POST /_local/faults`, as selects in the page's toolbar. Trusted, static HTML.
 */
export function faultSwitchesControls(withSts: boolean): string {
  const select = (id: string, label: string, values: readonly string[]) =>
    `<label class="fault-switch">${label} <select id="${id}">${values
      .map((value) => `<option value="${value}">${value}</option>`)
      .join('')}</select></label>`;
  return `
    <span class="fault-switches" role="group" aria-label="Fault switches">${select('fault-kinesis', 'Kinesis', ['ok', 'down', 'throttle', 'slow'])}${withSts ? select('fault-sts', 'STS', ['ok', 'deny']) : ''}<span id="fault-effect" class="muted"></span></span>`;
}

/** Reads the switches on load and posts each change to `/_local/faults`. */
export const FAULT_SWITCHES_SCRIPT = `(() => {
  const path = ${JSON.stringify(FAULTS_PATH)};
  const kinesis = document.getElementById('fault-kinesis');
  const sts = document.getElementById('fault-sts');
  const effect = document.getElementById('fault-effect');
  const show = (state) => {
    if (state.error) { effect.textContent = state.error; return; }
    kinesis.value = state.kinesis;
    if (sts) sts.value = state.sts;
    effect.textContent = state.effect;
  };
  const send = (body) => fetch(path, { method: 'POST', body: JSON.stringify(body) }).then((r) => r.json()).then(show);
  fetch(path).then((r) => r.json()).then(show);
  kinesis.addEventListener('change', () => send({ kinesis: kinesis.value }));
  if (sts) sts.addEventListener('change', () => send({ sts: sts.value }));
})();`;
