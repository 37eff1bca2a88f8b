import { execFile } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { GEO_DATABASE_FILE, GEO_DATABASE_PACKAGE_PATH } from '../../lambda/contract/geo-database';
import { oncePerRun } from '../support/once-per-run';

/** The repository root (not support/test-app's: importing it loads aws-cdk-lib and lib/ into jest for a path). */
const PROJECT_ROOT = path.join(__dirname, '..', '..');

/**
 * The package as a consumer gets it: `npm pack` (its `prepack` builds dist/: the compiled
 * constructs and the prebuilt Lambda bundles), the tarball unpacked into a scratch CDK app in a
 * temporary folder, a strict TypeScript app compiled there with `tsc` and synthesized with `node`.
 * The scratch app links only aws-cdk-lib, constructs, typescript, @types/node, cdk-nag and the
 * dependencies the packed package.json names (the country database among them) from this
 * project's node_modules (no network), and runs with
 * `--preserve-symlinks`, so module resolution never leaves it: no esbuild can be found there, and
 * no Docker is asked for.
 */

/**
 * What a consumer installs next to the package besides its `dependencies` (read from the packed
 * package.json): its peers, the compiler, cdk-nag.
 */
const CONSUMER_INSTALLS = ['aws-cdk-lib', 'constructs', 'typescript', '@types/node', 'cdk-nag'];
const BOUNDARY_ARN = 'arn:aws:iam::123456789012:policy/team-boundary';
const EXISTING_STREAM_ARN = 'arn:aws:kinesis:eu-west-1:123456789012:stream/clickstream';

/** The consumer's app: the construct twice (a new stream; an existing one) under a permissions boundary. */
const APP_SOURCE = `import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kinesis from 'aws-cdk-lib/aws-kinesis';
import { AwsSolutionsChecks } from 'cdk-nag';
import { KinesisEventForwarder } from 'kinesis-event-forwarder';

const outdir = process.argv[2] ?? 'cdk.out';
const app = new App({ outdir });
iam.PermissionsBoundary.of(app).apply(
  iam.ManagedPolicy.fromManagedPolicyArn(app, 'Boundary', '${BOUNDARY_ARN}'),
);

const newStream = new Stack(app, 'NewStream', { env: { account: '123456789012', region: 'eu-west-1' } });
const events = new KinesisEventForwarder(newStream, 'Events', { externalIds: ['first-external-id'] });

const existingStream = new Stack(app, 'ExistingStream');
const clickstream: kinesis.IStream = kinesis.Stream.fromStreamArn(existingStream, 'Clickstream', '${EXISTING_STREAM_ARN}');
new KinesisEventForwarder(existingStream, 'Events', { externalIds: ['second-external-id'], stream: clickstream });

const url: string = events.url;
const report = new AwsSolutionsChecks().validateScope(app);
app.synth();
writeFileSync(join(outdir, 'consumer.json'), JSON.stringify({ url, violations: report.violations }));
`;

const TSCONFIG = {
  compilerOptions: {
    target: 'ES2022',
    module: 'commonjs',
    moduleResolution: 'node',
    lib: ['ES2023'],
    types: ['node'],
    strict: true,
    noUncheckedIndexedAccess: true,
    noImplicitReturns: true,
    esModuleInterop: true,
    skipLibCheck: true,
    outDir: 'build',
  },
  files: ['app.ts'],
};

/**
 * `names` and the dependencies they install beside themselves (not bundled inside them), found in
 * this project's node_modules: what `npm install` would put next to them in the consumer's app.
 */
function closureOf(names: readonly string[]): string[] {
  const found = new Set<string>();
  const visit = (name: string) => {
    const manifest = path.join(PROJECT_ROOT, 'node_modules', name, 'package.json');
    if (found.has(name) || !existsSync(manifest)) return;
    found.add(name);
    const { dependencies = {}, bundleDependencies = [] } = JSON.parse(readFileSync(manifest, 'utf8')) as {
      dependencies?: Record<string, string>;
      bundleDependencies?: string[];
    };
    for (const dependency of Object.keys(dependencies)) {
      if (!bundleDependencies.includes(dependency)) visit(dependency);
    }
  };
  for (const name of names) visit(name);
  return [...found];
}

interface Run {
  readonly code: number;
  readonly output: string;
}

function run(command: string, args: readonly string[], cwd: string, env: NodeJS.ProcessEnv = process.env) {
  return new Promise<Run>((resolve) => {
    execFile(command, args, { cwd, env, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      resolve({
        code: error === null ? 0 : typeof error.code === 'number' ? error.code : 1,
        output: stdout + stderr,
      });
    });
  });
}

/** `npm pack` of this project, once per jest run: the tarball's path, or why there is none. */
function packed(): Promise<{ tarball?: string; run: Run }> {
  return oncePerRun('npm-pack', async (workDir) => {
    const packing = await run('npm', ['pack', '--json', '--pack-destination', workDir], PROJECT_ROOT);
    const files = readdirSync(workDir).filter((file) => file.endsWith('.tgz'));
    return { ...(files[0] === undefined ? {} : { tarball: path.join(workDir, files[0]) }), run: packing };
  });
}

// biome-ignore lint/suspicious/noExplicitAny: CloudFormation templates are free-form JSON.
type Resources = Record<string, { Type: string; Properties: any }>;

describe('the packed package in a consumer CDK app without esbuild', () => {
  const appDir = mkdtempSync(path.join(tmpdir(), 'kef-consumer-'));
  const outdir = path.join(appDir, 'cdk.out');
  let compile: Run;
  let synth: Run;
  let noEsbuild: Run;
  let tarballFiles: string[];
  const templates: Record<string, Resources> = {};

  beforeAll(async () => {
    const { tarball, run: packing } = await packed();
    if (tarball === undefined) throw new Error(`npm pack made no tarball:\n${packing.output}`);
    const modules = path.join(appDir, 'node_modules');
    const packageDir = path.join(modules, 'kinesis-event-forwarder');
    mkdirSync(packageDir, { recursive: true });
    // -v: tar lists each member as it is in the tarball (package/...) while it unpacks it.
    const untar = await run('tar', ['-xzvf', tarball, '-C', packageDir, '--strip-components=1'], appDir);
    if (untar.code !== 0) throw new Error(untar.output);
    tarballFiles = untar.output.split('\n').filter(Boolean);
    const { dependencies = {} } = JSON.parse(readFileSync(path.join(packageDir, 'package.json'), 'utf8')) as {
      dependencies?: Record<string, string>;
    };
    for (const name of closureOf([...CONSUMER_INSTALLS, ...Object.keys(dependencies)])) {
      mkdirSync(path.dirname(path.join(modules, name)), { recursive: true });
      symlinkSync(path.join(PROJECT_ROOT, 'node_modules', name), path.join(modules, name), 'dir');
    }
    writeFileSync(path.join(appDir, 'app.ts'), APP_SOURCE);
    writeFileSync(path.join(appDir, 'tsconfig.json'), JSON.stringify(TSCONFIG));

    // No node_modules/.bin on PATH, symlinks kept as paths: nothing outside the app dir resolves.
    // CDK_VALIDATION=false: aws-cdk-lib's own template validation (WebAssembly) costs ~15 s of CPU
    // at each synth; what this test checks is asserted below, cdk-nag included.
    const env = {
      ...process.env,
      PATH: (process.env.PATH ?? '')
        .split(':')
        .filter((dir) => !dir.includes('node_modules'))
        .join(':'),
      CDK_VALIDATION: 'false',
    };
    const node = [process.execPath, '--preserve-symlinks', '--preserve-symlinks-main'] as const;
    // The consumer's flow: tsc compiles the app (strict) into build/, node runs what it emitted
    // (tsc emits despite type errors, so a synth failure and a type error are reported apart).
    const resolvesEsbuild = run(
      node[0],
      [
        ...node.slice(1),
        '-e',
        `require.resolve('esbuild', { paths: [${JSON.stringify(path.join(modules, 'aws-cdk-lib'))}] })`,
      ],
      appDir,
      env,
    );
    compile = await run(
      process.execPath,
      [path.join(modules, 'typescript', 'bin', 'tsc'), '-p', '.'],
      appDir,
    );
    synth = await run(node[0], [...node.slice(1), path.join('build', 'app.js'), outdir], appDir, env);
    noEsbuild = await resolvesEsbuild;
    for (const stack of ['NewStream', 'ExistingStream']) {
      const file = path.join(outdir, `${stack}.template.json`);
      if (existsSync(file)) templates[stack] = JSON.parse(readFileSync(file, 'utf8')).Resources;
    }
  }, 600_000);

  afterAll(() => rmSync(appDir, { recursive: true, force: true }));

  const ofType = (stack: string, type: string) =>
    Object.entries(templates[stack] ?? {}).filter(([, resource]) => resource.Type === type);
  const writerRoleOf = (stack: string) => {
    const found = ofType(stack, 'AWS::IAM::Role').find(([id]) => id.startsWith('EventsStreamWriterRole'));
    if (found === undefined) throw new Error(`${stack} has no writer role`);
    return found[1].Properties;
  };

  it('ships compiled JavaScript, types and the prebuilt bundles, without tests, benches or fixtures', () => {
    expect(tarballFiles).toEqual(
      expect.arrayContaining([
        'package/dist/lib/index.js',
        'package/dist/lib/index.d.ts',
        'package/dist/bundles/collector/index.js',
        'package/dist/bundles/collector/exec-wrapper.sh',
        'package/dist/bundles/write-keys-provisioner/index.js',
      ]),
    );
    expect(
      tarballFiles.filter((file) =>
        /(^|\/)(test|bench|fixtures|examples)\/|\.test\.|\.ts$/.test(file.replace(/\.d\.ts$/, '')),
      ),
    ).toEqual([]);
    // The country database is the package's dependency, not in the tarball.
    expect(tarballFiles.filter((file) => file.endsWith('.mmdb'))).toEqual([]);
  });

  it('compiles as a strict TypeScript app', () => {
    expect(compile).toEqual({ code: 0, output: '' });
  });

  it('synthesizes with no esbuild to be found', () => {
    expect(noEsbuild.output).toContain("Cannot find module 'esbuild'");
    expect(synth.code === 0 ? '' : synth.output).toBe('');
    expect(Object.keys(templates).sort()).toEqual(['ExistingStream', 'NewStream']);
  });

  it('creates a stream only where no existing stream is given', () => {
    expect(ofType('NewStream', 'AWS::Kinesis::Stream')).toHaveLength(2);
    expect(ofType('ExistingStream', 'AWS::Kinesis::Stream')).toHaveLength(0);
  });

  it("deploys the package's prebuilt bundle and its dependency's country database as the collector function's code", () => {
    const packageBundle = path.join(
      appDir,
      'node_modules',
      'kinesis-event-forwarder',
      'dist',
      'bundles',
      'collector',
    );
    for (const stack of Object.keys(templates)) {
      const collector = ofType(stack, 'AWS::Lambda::Function').find(
        ([, fn]) => fn.Properties.Environment?.Variables?.AWS_LAMBDA_EXEC_WRAPPER !== undefined,
      );
      const key: string = collector?.[1].Properties.Code.S3Key;
      const asset = path.join(outdir, `asset.${key.replace(/\.zip$/, '')}`);
      expect(readdirSync(asset).sort()).toEqual([...readdirSync(packageBundle), GEO_DATABASE_FILE].sort());
      expect(
        readFileSync(path.join(asset, GEO_DATABASE_FILE)).equals(
          readFileSync(path.join(appDir, 'node_modules', GEO_DATABASE_PACKAGE_PATH)),
        ),
      ).toBe(true);
      // Buffer.equals, not toEqual: jest compares 400 KB byte by byte in seconds.
      expect(
        readFileSync(path.join(asset, 'index.js')).equals(readFileSync(path.join(packageBundle, 'index.js'))),
      ).toBe(true);
      expect(statSync(path.join(asset, 'exec-wrapper.sh')).mode & 0o777).toBe(0o755);
    }
  });

  it('has the HTTP API in both stacks', () => {
    expect(ofType('NewStream', 'AWS::ApiGatewayV2::Api')).toHaveLength(1);
    expect(ofType('ExistingStream', 'AWS::ApiGatewayV2::Api')).toHaveLength(1);
  });

  it('trusts the writer role only with the external ID', () => {
    const [trust] = writerRoleOf('NewStream').AssumeRolePolicyDocument.Statement;
    expect(trust.Condition.StringEquals).toEqual({ 'sts:ExternalId': 'first-external-id' });
  });

  it("names the existing stream's ARN, and no other stream, in the writer role's policy", () => {
    const statements = writerRoleOf('ExistingStream').Policies.flatMap(
      (policy: { PolicyDocument: { Statement: { Resource: unknown }[] } }) => policy.PolicyDocument.Statement,
    );
    expect(statements.map((statement: { Resource: unknown }) => statement.Resource)).toEqual([
      EXISTING_STREAM_ARN,
    ]);
  });

  it('puts the permissions boundary on every role', () => {
    const roles = [...ofType('NewStream', 'AWS::IAM::Role'), ...ofType('ExistingStream', 'AWS::IAM::Role')];
    expect(roles.length).toBeGreaterThanOrEqual(6);
    for (const [, role] of roles) expect(role.Properties.PermissionsBoundary).toBe(BOUNDARY_ARN);
  });

  it("passes cdk-nag's AwsSolutions checks with the acknowledgements the package ships", () => {
    const consumer = JSON.parse(readFileSync(path.join(outdir, 'consumer.json'), 'utf8'));
    expect(consumer.violations).toEqual([]);
  });
});
