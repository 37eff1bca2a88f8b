import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import {
  CONTEXT_DEFAULTS,
  InvalidDeployConfigError,
  OPTIONAL_CONTEXT_KEYS,
  readDeployConfig,
} from '../../lib/config';
import { COLLECTOR_ROUTES } from '../../lib/constructs/ingest-api';
import { FAULTS_PATH } from '../../local/faults-route';
import { buildTestApp, PROJECT_ROOT } from '../lib/support/test-app';

/**
 * Every shell command in a fenced ```sh / ```bash block of README.md and docs/*.md is checked here:
 * run when it can run offline in a few seconds, otherwise checked against what it names (npm
 * scripts and their options, CDK context keys and stack names, stack outputs, environment variables,
 * collector routes). Commands another test already runs are listed in COVERED_ELSEWHERE.
 */

interface DocCommand {
  readonly file: string;
  readonly line: number;
  readonly text: string;
}

const DOC_FILES = [
  'README.md',
  ...readdirSync(path.join(PROJECT_ROOT, 'docs'))
    .filter((name) => name.endsWith('.md'))
    .map((name) => `docs/${name}`),
];

/** Comment text starts at an unquoted ` #` (or a `#` at the start of the line). */
function withoutComment(line: string): string {
  let quote: string | undefined;
  for (let i = 0; i < line.length; i++) {
    const char = line[i];
    if (quote !== undefined) {
      if (char === quote) quote = undefined;
    } else if (char === "'" || char === '"') {
      quote = char;
    } else if (char === '#' && (i === 0 || /\s/.test(line[i - 1] ?? ''))) {
      return line.slice(0, i);
    }
  }
  return line;
}

function shellCommands(): DocCommand[] {
  const commands: DocCommand[] = [];
  for (const file of DOC_FILES) {
    const lines = readFileSync(path.join(PROJECT_ROOT, file), 'utf8').split('\n');
    let inShell = false;
    let inOther = false;
    let pending: { line: number; text: string } | undefined;
    lines.forEach((raw, index) => {
      if (!inShell && !inOther && /^```(sh|bash|shell)\s*$/.test(raw)) {
        inShell = true;
        return;
      }
      if (!inShell && !inOther && /^```/.test(raw)) {
        inOther = true;
        return;
      }
      if (/^```\s*$/.test(raw)) {
        inShell = false;
        inOther = false;
        return;
      }
      if (!inShell) return;
      const line = withoutComment(raw).trimEnd();
      const continued = line.endsWith('\\');
      const text = `${pending?.text ?? ''} ${continued ? line.slice(0, -1) : line}`.trim();
      const start = pending?.line ?? index + 1;
      if (continued) {
        pending = { line: start, text };
        return;
      }
      pending = undefined;
      for (const part of text.split('&&').map((piece) => piece.trim())) {
        if (part !== '') commands.push({ file, line: start, text: part });
      }
    });
  }
  return commands;
}

/** A shell-like split: whitespace separates words, quotes group them. */
function words(text: string): string[] {
  return [...text.matchAll(/'([^']*)'|"([^"]*)"|(\S+)/g)].map(
    (match) => match[1] ?? match[2] ?? match[3] ?? '',
  );
}

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
]);

/** Commands another test runs exactly, by the test that runs them. */
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
    shows: "'collectorConfig=examples/deploy.json'",
  },
  {
    pattern:
      /^npm run -s tail -- --endpoint http:\/\/127\.0\.0\.1:4567 --stream events --from-start --json --no-follow$/,
    test: 'test/tools/tail.test.ts',
    shows: "'--from-start', '--json', '--no-follow'",
  },
  {
    pattern:
      /^curl -s -X POST -d '\{"(kinesis|sts)":"[a-z]+".*\}' http:\/\/127\.0\.0\.1:8080\/_local\/faults$/,
    test: 'test/local/faults.test.ts',
    shows: '{"kinesis":"down"}',
  },
  {
    pattern: /^curl .* http:\/\/127\.0\.0\.1:8080\/v1\/track$/,
    test: 'test/local/npm-start.test.ts',
    shows: 'dev-write-key',
  },
];

/** Descriptive placeholders (`<stream name>`) the reader fills in; CamelCase ones must be outputs. */
const FREE_PLACEHOLDERS = new Set(['<stream name>', '<region>', '<id>', '<new key>', '<old key>']);

describe('shell commands in README.md and docs/*.md', () => {
  const commands = shellCommands();
  const envRead = environmentVariablesRead();
  const outputs = new Set<string>();
  const help = new Map<string, string>();

  beforeAll(() => {
    const deployment = buildTestApp({ externalIds: 'doc-check-id' });
    for (const stack of [deployment.streamStack, deployment.collectorStack]) {
      for (const child of stack?.node.children ?? []) {
        if (child.constructor.name === 'CfnOutput') outputs.add(child.node.id);
      }
    }
    // Run offline: the option lists of the tools the docs call.
    for (const script of ['tail', 'live', 'redrive', 'check-destination', 'replay']) {
      const result = spawnSync('npm', ['run', '-s', script, '--', '--help'], {
        cwd: PROJECT_ROOT,
        encoding: 'utf8',
        timeout: 20_000,
      });
      help.set(script, `${result.stdout}${result.stderr}`);
    }
  }, 60_000);

  it('finds the commands of every page that has some', () => {
    const files = new Set(commands.map((command) => command.file));

    for (const file of ['README.md', 'docs/deploying.md', 'docs/operations.md'])
      expect(files.has(file)).toBe(true);
    expect(commands.length).toBeGreaterThan(20);
  });

  it('prints the help of npm run tail, live, redrive and check-destination offline', () => {
    expect(help.get('tail')).toContain('--stream NAME');
    expect(help.get('live')).toContain('--failed-stream NAME');
    expect(help.get('redrive')).toContain('--queue-url URL');
    expect(help.get('check-destination')).toContain('--external-id ID');
  });

  it('names only real scripts, options, context keys, stacks, outputs, variables and routes', () => {
    const problems: string[] = [];
    const shellVariables = new Set<string>();

    for (const command of commands) {
      const where = `${command.file}:${command.line}: ${command.text}`;
      const covered = COVERED_ELSEWHERE.find((entry) => entry.pattern.test(command.text));
      if (covered !== undefined) {
        const test = path.join(PROJECT_ROOT, covered.test);
        if (!existsSync(test) || !readFileSync(test, 'utf8').includes(covered.shows)) {
          problems.push(`${where}: ${covered.test} no longer runs it`);
        }
      }

      const tokens = words(command.text);
      while (tokens[0] !== undefined && /^[A-Z_][A-Z0-9_]*=/.test(tokens[0])) {
        const name = (tokens.shift() as string).split('=')[0] as string;
        if (tokens.length === 0) shellVariables.add(name);
        else if (!envRead.has(name) && !(name in TOOL_ENVIRONMENT)) {
          problems.push(`${where}: no code reads the environment variable ${name}`);
        }
      }
      for (const match of command.text.matchAll(/\$\{?([A-Z_][A-Z0-9_]*)/g)) {
        if (!shellVariables.has(match[1] as string)) problems.push(`${where}: $${match[1]} is never set`);
      }
      for (const match of command.text.matchAll(/<([^>]+)>/g)) {
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
              /^[\w.,:/-]+$/.test(value) && value !== '...' ? value : (SAMPLE_CONTEXT[key] ?? value);
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
        const routeMatches = (path: string) =>
          new RegExp(`^${path.replace(/\{[^}]+\}/g, '[^/]+')}$`).test(pathname);
        if (pathname !== FAULTS_PATH && !COLLECTOR_ROUTES.some((route) => routeMatches(route.path))) {
          problems.push(`${where}: the collector has no route ${pathname}`);
        }
      } else {
        problems.push(`${where}: no check for ${program}; add one or an explicit exception`);
      }
    }

    expect(problems).toEqual([]);
  });
});
