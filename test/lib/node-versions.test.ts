import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { node24Binary } from '../../tools/lambda-runtime/lambda-process';
import { collectorTemplate } from '../support/synth-cache';
import { resourcesOf } from './support/template-assertions';
import { PROJECT_ROOT } from './support/test-app';

const readJson = (file: string) => JSON.parse(readFileSync(file, 'utf8'));
const packageJson = readJson(path.join(PROJECT_ROOT, 'package.json'));
const readme = readFileSync(path.join(PROJECT_ROOT, 'README.md'), 'utf8');
const majorOf = (version: string) => Number(/^v?(\d+)/.exec(version)?.[1]);

describe('Node versions: package.json, the Lambda runtime, the runtime-client tests and the README agree', () => {
  it('runs the tools on Node 20.6 or later (node --import tsx), as engines says', () => {
    expect(packageJson.engines).toEqual({ node: '>=20.6' });
    expect(majorOf(process.version)).toBeGreaterThanOrEqual(20);
    expect(readme).toContain('On a machine with Node.js 20 or later');
    expect(readme).toContain(
      '| tools, `npm start`, `npm test`, CI (`.ci/run`) | 20.6 or later (`engines`: `>=20.6`)',
    );
  });

  it('deploys every function of the collector stack on nodejs24.x, as the README says', () => {
    const runtimes = Object.values(
      resourcesOf(collectorTemplate({ externalIds: 'ext-one' }), 'AWS::Lambda::Function'),
    ).map((resource) => (resource as { Properties: { Runtime?: string } }).Properties.Runtime);

    expect(runtimes.length).toBeGreaterThan(0);
    expect(new Set(runtimes)).toEqual(new Set(['nodejs24.x']));
    expect(readme).toContain('the deployed Lambda runs on Node.js 24, `nodejs24.x`');
  });

  it("runs the runtime-client tests on the devDependency's Node 24, the only one aws-lambda-ric's engines accept of the two", () => {
    const version = spawnSync(node24Binary(), ['--version'], { encoding: 'utf8' }).stdout.trim();
    const ric = readJson(path.join(PROJECT_ROOT, 'node_modules', 'aws-lambda-ric', 'package.json'));
    const ricMinimum = Number(/^>=\s*(\d+)/.exec(ric.engines.node)?.[1]);

    expect(majorOf(version)).toBe(24);
    expect(packageJson.devDependencies['aws-lambda-ric']).toBeDefined();
    // Why npm install warns EBADENGINE on Node 20, and why it is harmless (README, Node versions).
    expect(ricMinimum).toBeGreaterThan(20);
    expect(ricMinimum).toBeLessThanOrEqual(24);
    expect(readme).toContain('`npm install` on Node 20 warns `EBADENGINE` for `aws-lambda-ric`');
  });
});
