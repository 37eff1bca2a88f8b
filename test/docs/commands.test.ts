import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import {
  CONTEXT_DEFAULTS,
  InvalidDeployConfigError,
  OPTIONAL_CONTEXT_KEYS,
  readDeployConfig,
} from '../../lib/config';
import { COLLECTOR_ROUTES } from '../../lib/constructs/ingest-api';
import { FAULTS_PATH } from '../../local/faults-route';
import { CHECK_USAGE } from '../../tools/check/check-args';
import { LIVE_USAGE } from '../../tools/live/live-args';
import { REDRIVE_USAGE } from '../../tools/redrive/run-redrive';
import { REPLAY_USAGE } from '../../tools/replay/replay-cli';
import { REPLAY_ARCHIVE_USAGE } from '../../tools/replay-archive/replay-archive-args';
import { TAIL_USAGE } from '../../tools/tail/tail-args';
import { ARCHIVED_STREAM_CONTEXT } from '../lib/support/archive-context';
import { PROJECT_ROOT } from '../lib/support/test-app';
import { killStarted, type StartedCollector, waitForBanner, waitForOutput } from '../support/npm-start';
import { runShell, type ShellRun, startShell } from '../support/shell-command';
import { topologyTemplates } from '../support/synth-cache';
import { commandSubstitutions, type DocCommand, docFiles, shellCommands, words } from './doc-commands';

/**
 * Every shell command in a fenced ```sh / ```bash block of README.md and docs/*.md (issue 37):
 * - RUN here as written, unless it is in EXCLUDED (named, with the reason) or another test runs it
 *   (COVERED_ELSEWHERE, checked to still say so). The one substitution: the docs' default ports.
 *   One `npm start` (the docs' own command) serves every command that needs a collector, on free
 *   ports (the other `npm start`s the docs show use its emulator through KINESIS_ENDPOINT); `127.0.0.1:8080` and `127.0.0.1:4567` in a command become its collector and emulator,
 *   and the commands run with `KINESIS_PORT` set to its emulator's port (as in the terminal where
 *   it runs). Commands run in a scratch copy of the checkout (symlinks), so a relative path such
 *   as `.spill` is the test's own.
 * - CHECKED, all of them, against what they name: npm scripts and their options, CDK context keys
 *   and stack names, stack outputs, environment variables, collector routes.
 */

/** Commands not run, each with its reason: the settled list of issue 37. */
const EXCLUDED: readonly { readonly pattern: RegExp; readonly reason: string }[] = [
  { pattern: /^npm test$/, reason: 'the whole suite, this test included' },
  { pattern: /^npm run bench\b/, reason: 'the benchmark: minutes of load, run by hand before a release' },
  { pattern: /^npm install\b/, reason: 'needs the npm registry; the test runs in an installed checkout' },
  { pattern: /^npx cdk (deploy|bootstrap|destroy)\b/, reason: 'needs an AWS account' },
  { pattern: /^aws /, reason: 'the AWS CLI needs an AWS account' },
  { pattern: /^[A-Z_]+=\$\(aws /, reason: 'the AWS CLI needs an AWS account' },
  {
    pattern: /^npm run (-s )?[\w-]+ -- .*--(region|profile|role-arn|queue-url|stack)\b/,
    reason: 'reads or writes AWS: it names a region, profile, role, SQS queue or stack',
  },
  {
    pattern: /^npm run (-s )?check-destination -- --config collector-config\.json\b/,
    reason: "tests the reader's own destinations (their document, in AWS)",
  },
  { pattern: /^curl .*https:\/\/events\.example\.com\//, reason: 'asks a deployed collector' },
];

/** Commands another test runs exactly (ports aside), by the test that runs them. */
const COVERED_ELSEWHERE: readonly {
  readonly pattern: RegExp;
  readonly test: string;
  readonly shows: string;
}[] = [
  {
    pattern: /^(CDK_DISABLE_VERSION_CHECK=1 )?npx cdk synth -c externalIds=\S+$/,
    // The CLI test runs it through test/support/cli-synth.ts: `npx cdk synth -c externalIds=<id> -o <dir> -q`.
    test: 'test/lib/cdk-synth-cli.test.ts',
    shows: 'cliSynth({ externalIds:',
  },
  {
    pattern:
      /^(CDK_DISABLE_VERSION_CHECK=1 )?npx cdk synth -c externalIds=\S+ -c collectorConfig=examples\/deploy\.json$/,
    test: 'test/lib/cdk-synth-cli.test.ts',
    shows: "collectorConfig: 'examples/deploy.json'",
  },
  {
    // It runs every file of examples/; those the docs start with `npm start -- --config examples/<file>`
    // it starts exactly so (the rest through the same entry, bundled once per run).
    pattern: /^npm start -- --config examples\/[\w-]+\.json$/,
    test: 'test/examples/examples.test.ts',
    shows: "readdirSync(join(ROOT, 'examples')).filter((name) => name.endsWith('.json'))",
  },
  {
    pattern: /^EXTERNAL_ID=my-ext-id npm start$/,
    test: 'test/local/external-id.test.ts',
    shows: "EXTERNAL_ID: 'my-ext-id',",
  },
  {
    pattern: /^TRUSTED_EXTERNAL_IDS=other npm start$/,
    test: 'test/local/external-id.test.ts',
    shows: "TRUSTED_EXTERNAL_IDS: 'other',",
  },
  {
    // Its test starts it on a stream named `events` in its own kinesalite and opens the page in Chromium.
    pattern: /^npm run live -- --endpoint http:\/\/127\.0\.0\.1:4567 --stream events --port 0$/,
    test: 'test/tools/live.test.ts',
    shows: "runLive(['--endpoint', kinesis.endpoint, '--stream', 'events', '--port', '0'], 'npm')",
  },
  {
    // Needs `npm start` with a suppression document (its dynalite); the tool test gives it one.
    pattern: /^npm run suppress -- add --source web --(user|anonymous)-id \S+$/,
    test: 'test/tools/suppress.test.ts',
    shows: "suppress('add', '--source', 'web', '--user-id'",
  },
];

/** What a command run here must print, beyond exiting 0 (the docs' own `# {...}` lines too). */
const EXPECTED_OUTPUT: readonly (readonly [RegExp, RegExp])[] = [
  [/--stream events --from-start --json/, /"event":"Signed Up"/],
  [/ --failed /, /userId or anonymousId is required/],
  [/\| head -1$/, /^[^\n]+\n?$/],
  [/replay-failed .*--dry-run/, /\(dry run: nothing written\)/],
  [/redrive -- --spill-dir \.spill/, /redrive: read 0, moved 0/],
  [/\/v1\/pixel\//, /^200 image\/gif/],
  [/\/_local\/faults$/, /^\{"kinesis":"(ok|down|throttle|slow)"/],
];

/** Commands that run until stopped: what they print once they work. */
const LONG_RUNNING: readonly (readonly [RegExp, RegExp])[] = [
  [/\bnpm start\b/, /Press Ctrl-C to stop\./],
  [/^npm run (-s )?live\b/, /Live events: http:\/\/127\.0\.0\.1:\d+/],
];

/** The port-free environment of an `npm start` the docs show (the shared one's ports are taken). */
const FREE_PORTS = { PORT: '0', KINESIS_PORT: '0', DYNAMODB_PORT: '0' } as const;

/** Longest one command may take on a loaded 2-core machine. */
const COMMAND_TIMEOUT_MS = 90_000;

const excludedBy = (command: DocCommand) => EXCLUDED.find((entry) => entry.pattern.test(command.text));
const coveredBy = (command: DocCommand) =>
  COVERED_ELSEWHERE.find((entry) => entry.pattern.test(command.text));

const packageJson = JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'package.json'), 'utf8')) as {
  scripts: Record<string, string>;
};

/** Environment variables the project's own code reads. */
function environmentVariablesRead(): Set<string> {
  const names = new Set<string>();
  const visit = (dir: string) => {
    for (const entry of readdirSync(path.join(PROJECT_ROOT, dir), { withFileTypes: true })) {
      const relative = `${dir}/${entry.name}`;
      if (entry.isDirectory()) visit(relative);
      else if (entry.name.endsWith('.ts')) {
        const source = readFileSync(path.join(PROJECT_ROOT, relative), 'utf8');
        for (const match of source.matchAll(/\benv(?:\.|\[')([A-Z][A-Z0-9_]+)/g))
          names.add(match[1] as string);
      }
    }
  };
  for (const dir of ['bin', 'local', 'lambda', 'tools', 'bench', 'reliability']) {
    if (existsSync(path.join(PROJECT_ROOT, dir))) visit(dir);
  }
  return names;
}

/** Variables of the tools the docs run, not of this project. */
const TOOL_ENVIRONMENT = {
  CDK_DISABLE_VERSION_CHECK: 'the CDK CLI: skip its version check (docs/deploying.md, toolchain facts)',
} as const;

const CONTEXT_KEYS = new Set<string>([...Object.keys(CONTEXT_DEFAULTS), ...OPTIONAL_CONTEXT_KEYS]);

/** Valid stand-ins for the placeholders the docs use as context values. */
const SAMPLE_CONTEXT: Record<string, string> = {
  externalIds: 'doc-check-id',
  externalId: 'doc-check-id',
  collectorAccountId: '111111111111',
  writerRoleArn: 'arn:aws:iam::222222222222:role/event-writer',
  streamArn: 'arn:aws:kinesis:eu-west-1:222222222222:stream/events',
};

/** AWS CLI calls the docs show: they need an account, so only their placeholders are checked. */
const AWS_CLI_OPERATIONS = new Set([
  'secretsmanager get-secret-value',
  'secretsmanager put-secret-value',
  'cloudformation describe-stacks',
  'sqs get-queue-attributes',
  'sqs receive-message',
  'kinesis delete-stream',
  'kinesis enable-enhanced-monitoring',
  'kinesis update-shard-count',
  's3 cp',
  's3api list-object-versions',
  's3api delete-object',
]);

/** Shell builtins the docs use around other commands; nothing to check in them. */
const SHELL_BUILTINS = new Set(['umask']);

/** Descriptive placeholders (`<stream name>`) the reader fills in; CamelCase ones must be outputs. */
const FREE_PLACEHOLDERS = new Set([
  '<stream name>',
  '<region>',
  '<id>',
  '<new key>',
  '<old key>',
  '<the external ID>',
  '<object-key>',
  '<version-id>',
]);

/** A command with each `$( ... )` replaced by a value that stands for its output, for the checks. */
const withoutSubstitutions = (text: string) =>
  commandSubstitutions(text).reduce((result, { whole }) => result.replace(whole, 'doc-check-id'), text);

/** A scratch copy of the checkout: a symlink per top-level entry, so relative paths land in it. */
function scratchCheckout(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'doc-commands-'));
  for (const entry of readdirSync(PROJECT_ROOT)) {
    if (['.git', 'cdk.out', '.spill'].includes(entry)) continue;
    symlinkSync(path.join(PROJECT_ROOT, entry), path.join(dir, entry));
  }
  return dir;
}

describe('shell commands in README.md and docs/*.md', () => {
  const commands = shellCommands(PROJECT_ROOT, docFiles(PROJECT_ROOT));
  const toRun = commands.filter((command) => !excludedBy(command) && !coveredBy(command));
  const envRead = environmentVariablesRead();
  const outputs = new Set<string>();
  /** The usage each tool prints for `--help`: the options a documented command may use. */
  const help = new Map<string, string>([
    ['tail', TAIL_USAGE],
    ['live', LIVE_USAGE],
    ['redrive', REDRIVE_USAGE],
    ['check-destination', CHECK_USAGE],
    ['replay-failed', REPLAY_USAGE],
    ['replay', REPLAY_ARCHIVE_USAGE],
  ]);
  const results = new Map<DocCommand, ShellRun>();
  const startedHere: StartedCollector[] = [];
  let scratch = '';

  beforeAll(async () => {
    scratch = scratchCheckout();
    // The default topology's outputs, from the synth other tests share (the context is theirs).
    const { stream, collector: collectorStack } = topologyTemplates({ externalIds: 'ext-one' });
    // The archived stream stack's too (docs/archive.md names them), from the synth its tests share.
    const archived = topologyTemplates(ARCHIVED_STREAM_CONTEXT).stream;
    for (const stack of [stream, collectorStack, archived]) {
      for (const id of Object.keys(stack?.template.toJSON().Outputs ?? {})) outputs.add(id);
    }

    // The docs' own `npm start`, on free ports: every command that needs a collector uses it.
    const collector = startShell('npm start', scratch, FREE_PORTS);
    startedHere.push(collector);
    const longRunning = async (command: DocCommand, text: string, env: Readonly<Record<string, string>>) => {
      const ready = LONG_RUNNING.find(([pattern]) => pattern.test(text))?.[1] as RegExp;
      const started = startShell(text, scratch, env);
      startedHere.push(started);
      try {
        await waitForOutput(started, ready, COMMAND_TIMEOUT_MS);
        results.set(command, { code: 0, output: started.output() });
      } catch {
        results.set(command, { code: started.child.exitCode ?? 'not ready', output: started.output() });
      } finally {
        await killStarted(started);
      }
    };
    const { collectorUrl, kinesisEndpoint } = await waitForBanner(collector);
    // Meanwhile, the other `npm start`s the docs show, with the first one's emulator as their
    // KINESIS_ENDPOINT (a terminal where the local Kinesis runs already): each creates its streams
    // there and serves, without an emulator child of its own (that one is the plain `npm start`'s
    // subject, here and in test/local/npm-start.test.ts).
    const otherStarts = toRun
      .filter((command) => /\bnpm start\b/.test(command.text) && command.text !== 'npm start')
      .map((command) =>
        longRunning(command, command.text, { ...FREE_PORTS, KINESIS_ENDPOINT: kinesisEndpoint }),
      );
    for (const command of toRun.filter((candidate) => candidate.text === 'npm start')) {
      results.set(command, { code: 0, output: collector.output() });
    }
    const asHere = (text: string) =>
      text
        .replaceAll('http://127.0.0.1:8080', collectorUrl)
        .replaceAll('http://127.0.0.1:4567', kinesisEndpoint);
    const env = { KINESIS_PORT: new URL(kinesisEndpoint).port };
    // A command two pages show word for word (the tail of README.md and docs/operations.md) runs
    // once: both pages' tests read that run.
    const runs = new Map<string, Promise<ShellRun>>();
    const runOne = (command: DocCommand) => async () => {
      if (LONG_RUNNING.some(([pattern]) => pattern.test(command.text))) {
        return longRunning(command, asHere(command.text), env);
      }
      let run = runs.get(command.text);
      if (run === undefined) {
        run = runShell(asHere(command.text), scratch, env, COMMAND_TIMEOUT_MS);
        runs.set(command.text, run);
      }
      results.set(command, await run);
    };

    // A refused event first, so the failed-events commands have something to show.
    const refused = await fetch(`${collectorUrl}/v1/track`, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from('dev-write-key:').toString('base64')}` },
      body: JSON.stringify({ event: 'No User' }),
    });
    expect(refused.status).toBe(400);
    const isCurl = (command: DocCommand) => command.text.startsWith('curl ');
    const isFault = (command: DocCommand) => isCurl(command) && command.text.endsWith(FAULTS_PATH);
    const rest = toRun.filter((command) => !/\bnpm start\b/.test(command.text));
    // Events in, then everything that reads them, then the fault switches one by one, in doc order.
    await Promise.all(rest.filter((c) => isCurl(c) && !isFault(c)).map((command) => runOne(command)()));
    await Promise.all(rest.filter((c) => !isCurl(c)).map((command) => runOne(command)()));
    for (const command of rest.filter(isFault)) await runOne(command)();
    await Promise.all(otherStarts);
  }, 300_000);

  afterAll(async () => {
    await Promise.all(startedHere.map((started) => killStarted(started)));
    if (scratch !== '') rmSync(scratch, { recursive: true, force: true });
  });

  it('finds the commands of every page that has some, indented blocks included', () => {
    const files = new Set(commands.map((command) => command.file));

    for (const file of ['README.md', 'docs/deploying.md', 'docs/operations.md', 'docs/privacy.md'])
      expect(files.has(file)).toBe(true);
    expect(commands.length).toBeGreaterThan(20);
    expect(toRun.length).toBeGreaterThan(15);
  });

  it.each(toRun.map((command) => [`${command.file}:${command.line}`, command.text, command] as const))(
    'runs %s `%s` as written, and it works',
    (_where, _text, command) => {
      const result = results.get(command);

      expect({ code: result?.code, output: result?.output }).toMatchObject({ code: 0 });
      const output = result?.output ?? '';
      if (command.expectedOutput !== undefined) expect(output.trim()).toBe(command.expectedOutput);
      for (const [pattern, expected] of EXPECTED_OUTPUT) {
        if (pattern.test(command.text)) expect(output).toMatch(expected);
      }
    },
  );

  it('runs each command substitution $( ... ) of every command offline, and it prints one value', async () => {
    const substitutions = [
      ...new Set(commands.flatMap((command) => commandSubstitutions(command.text).map(({ inner }) => inner))),
    ].filter((inner) => !inner.startsWith('aws '));
    expect(substitutions.length).toBeGreaterThan(0);

    for (const inner of substitutions) {
      const run = await runShell(inner, scratch || PROJECT_ROOT, {}, COMMAND_TIMEOUT_MS);
      expect({ inner, code: run.code, lines: run.output.trim().split('\n').length }).toEqual({
        inner,
        code: 0,
        lines: 1,
      });
    }
  }, 60_000);

  it('names only real scripts, options, context keys, stacks, outputs, variables, routes and files', () => {
    const problems: string[] = [];
    const shellVariables = new Set<string>();

    for (const command of commands) {
      const text = withoutSubstitutions(command.text);
      const where = `${command.file}:${command.line}: ${command.text}`;
      const covered = coveredBy(command);
      if (covered !== undefined) {
        const test = path.join(PROJECT_ROOT, covered.test);
        if (!existsSync(test) || !readFileSync(test, 'utf8').includes(covered.shows)) {
          problems.push(`${where}: ${covered.test} no longer runs it`);
        }
      }
      if (!excludedBy(command) && /<[^>]+>/.test(text.replace(/'[^']*'/g, ''))) {
        problems.push(`${where}: a command the test runs cannot have a placeholder; give a real value`);
      }

      // A placeholder is one word however many words it holds (`<the external ID>`).
      const tokens = words(text.replace(/<[^>]+>/g, (placeholder) => placeholder.replace(/\s+/g, '_')));
      while (tokens[0] !== undefined && /^[A-Z_][A-Z0-9_]*=/.test(tokens[0])) {
        const name = (tokens.shift() as string).split('=')[0] as string;
        if (tokens.length === 0) shellVariables.add(name);
        else if (!envRead.has(name) && !(name in TOOL_ENVIRONMENT)) {
          problems.push(`${where}: no code reads the environment variable ${name}`);
        }
      }
      for (const match of text.matchAll(/\$\{?([A-Z_][A-Z0-9_]*)/g)) {
        if (!shellVariables.has(match[1] as string)) problems.push(`${where}: $${match[1]} is never set`);
      }
      for (const match of text.matchAll(/<([^>]+)>/g)) {
        const placeholder = match[0];
        if (/^[A-Z][A-Za-z]+$/.test(match[1] as string)) {
          if (!outputs.has(match[1] as string)) problems.push(`${where}: no stack output ${placeholder}`);
        } else if (!FREE_PLACEHOLDERS.has(placeholder)) {
          problems.push(`${where}: unknown placeholder ${placeholder}`);
        }
      }

      if (tokens.length === 0) continue;
      const [program, first, ...rest] = tokens;
      if (program === 'npm') {
        if (first === 'install' || first === 'ci') continue;
        if (first === 'test' || first === 'start') {
          if (packageJson.scripts[first] === undefined) problems.push(`${where}: no npm script ${first}`);
          const config = rest[rest.indexOf('--config') + 1];
          if (rest.includes('--config') && !existsSync(path.join(PROJECT_ROOT, config ?? ''))) {
            problems.push(`${where}: no file ${config}`);
          }
          continue;
        }
        if (first !== 'run') {
          problems.push(`${where}: unexpected npm command ${first}`);
          continue;
        }
        const args = rest.filter((arg) => arg !== '-s' && arg !== '--silent');
        const script = args.shift() ?? '';
        if (packageJson.scripts[script] === undefined) problems.push(`${where}: no npm script ${script}`);
        const options = help.get(script);
        if (options !== undefined) {
          for (const flag of args.filter((arg) => /^--[a-z]/.test(arg))) {
            if (!options.includes(flag)) problems.push(`${where}: npm run ${script} has no option ${flag}`);
          }
        }
      } else if (program === 'npx' && first === 'cdk') {
        const [sub, ...args] = rest;
        if (!['bootstrap', 'synth', 'deploy', 'destroy', 'diff'].includes(sub ?? '')) {
          problems.push(`${where}: unexpected cdk command ${sub}`);
        }
        const context: Record<string, string> = {};
        const stacks: string[] = [];
        for (let i = 0; i < args.length; i++) {
          const arg = args[i] as string;
          if (arg === '-c' || arg === '--context') {
            const [key = '', value = ''] = (args[++i] ?? '').split(/=(.*)/s);
            if (!CONTEXT_KEYS.has(key)) problems.push(`${where}: lib/config/ reads no context key ${key}`);
            context[key] =
              /^[\w.,:/-]+$/.test(value) && !value.includes('...') ? value : (SAMPLE_CONTEXT[key] ?? value);
          } else if (arg === '-o') {
            i++;
          } else if (!arg.startsWith('-')) {
            stacks.push(arg);
          }
        }
        if (sub === 'bootstrap' || Object.keys(context).length === 0) continue;
        try {
          const config = readDeployConfig((key) => context[key]);
          const names = [`${config.stackPrefix}-Stream`, `${config.stackPrefix}-Collector`];
          for (const stack of stacks) {
            if (!names.includes(stack)) problems.push(`${where}: no stack ${stack}`);
          }
        } catch (error) {
          if (!(error instanceof InvalidDeployConfigError)) throw error;
          problems.push(`${where}: ${error.problems.join('; ')}`);
        }
      } else if (program === 'aws') {
        if (!AWS_CLI_OPERATIONS.has(`${first} ${rest[0]}`)) {
          problems.push(`${where}: add aws ${first} ${rest[0]} to AWS_CLI_OPERATIONS if it is right`);
        }
      } else if (program === 'curl') {
        const url = tokens.find((token) => /^https?:\/\//.test(token)) ?? '';
        const { pathname } = new URL(url);
        const routeMatches = (route: string) =>
          new RegExp(`^${route.replace(/\{[^}]+\}/g, '[^/]+')}$`).test(pathname);
        if (pathname !== FAULTS_PATH && !COLLECTOR_ROUTES.some((route) => routeMatches(route.path))) {
          problems.push(`${where}: the collector has no route ${pathname}`);
        }
      } else if (!SHELL_BUILTINS.has(program as string)) {
        problems.push(`${where}: no check for ${program}; add one or an explicit exception`);
      }
    }

    expect(problems).toEqual([]);
  });
});
