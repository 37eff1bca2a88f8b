import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { COLLECTOR_FUNCTION_PATTERN, onlyLogicalId } from './support/template-assertions';
import { buildTestApp, templateOf } from './support/test-app';

/**
 * The default synth (no configuration document) pinned: the logical id and type of every resource of
 * both stacks, and the collector function's environment (its `COLLECTOR_CONFIG` document included),
 * as they were before `-c collectorConfig` existed. A change here replaces or reconfigures what
 * every existing deployment runs, so it must be deliberate: regenerate the pin with
 * `PIN_UPDATE=1 npx jest test/lib/default-synth-pin.test.ts` and say why in the commit.
 */
const PIN_FILE = path.join(__dirname, 'fixtures', 'default-synth-pin.json');

interface Pin {
  readonly resources: Record<string, Record<string, string>>;
  readonly environment: Record<string, unknown>;
  readonly document: unknown;
}

function currentPin(): Pin {
  const deployment = buildTestApp({ externalIds: 'pinned-external-id' });
  const stacks = {
    stream: templateOf(deployment.streamStack),
    collector: templateOf(deployment.collectorStack),
  };
  const resources = Object.fromEntries(
    Object.entries(stacks).map(([name, template]) => [
      name,
      Object.fromEntries(
        Object.entries(template.toJSON().Resources as Record<string, { Type: string }>)
          .map(([id, resource]) => [id, resource.Type] as const)
          .sort(([a], [b]) => a.localeCompare(b)),
      ),
    ]),
  );
  const fnId = onlyLogicalId(stacks.collector, 'AWS::Lambda::Function', COLLECTOR_FUNCTION_PATTERN);
  const environment = stacks.collector.toJSON().Resources[fnId].Properties.Environment.Variables as Record<
    string,
    unknown
  >;
  const document = environment.COLLECTOR_CONFIG;
  return { resources, environment, document };
}

describe('the default synth, without a configuration document', () => {
  const pin = currentPin();
  if (process.env.PIN_UPDATE === '1') writeFileSync(PIN_FILE, `${JSON.stringify(pin, null, 2)}\n`);
  const pinned = JSON.parse(readFileSync(PIN_FILE, 'utf8')) as Pin;

  it('keeps the logical id and type of every resource of both stacks', () => {
    expect(pin.resources).toEqual(pinned.resources);
  });

  it("keeps the collector function's environment variable for variable", () => {
    expect(pin.environment).toEqual(pinned.environment);
  });

  it('keeps the configuration document the function receives in COLLECTOR_CONFIG', () => {
    expect(pin.document).toEqual(pinned.document);
  });
});
