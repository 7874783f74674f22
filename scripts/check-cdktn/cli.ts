/**
 * `npm run check:cdktn [-- --keep]`: proves the project is one step from CDK Terrain (cdktn), the
 * community fork of the archived cdktf. In a temporary copy of the sources the app bundles (main.ts and
 * constructs/), it renames the imports (`cdktf` → `cdktn`, `@cdktf/provider-aws` → `@cdktn/provider-aws`),
 * installs cdktn from the npm registry (never into the project), type-checks the copy, synthesizes it with
 * cdktf.json's own app command, and compares every stack's Terraform JSON with cdktf's, listing every
 * difference. Known differences (the provider version, the library version in the metadata, the provider
 * source's spelling) are named; any other fails the check. Needs the npm registry, nothing else.
 */
import { spawnSync } from 'node:child_process';
import {
  cpSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  realpathSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { buildSync } from 'esbuild';
import { readSynthesizedStacks } from '../lib/cdktf-manifest';
import { OperatorError } from '../lib/operator-error';
import { compareStack, type Difference, type Versions } from './compare';
import { renameImports } from './rename';

/** What the check installs: CDK Terrain's library and its AWS provider bindings. */
export const CDKTN_PACKAGES = { cdktn: '0.24.0', '@cdktn/provider-aws': '25.7.0' } as const;

const USAGE = 'usage: npm run check:cdktn [-- --keep]  (--keep leaves the temporary copy for a look)';
/** The image tag both sides synthesize with: the copy is no git work tree to take the HEAD commit from. */
const IMAGE_TAG = 'check-cdktn';

const projectRoot = process.cwd();

function report(step: string, seconds: number, detail: string): void {
  console.log(`check:cdktn  ${step.padEnd(10)} ${seconds.toFixed(1).padStart(5)} s  ${detail}`);
}

async function timed<T>(
  step: string,
  action: () => T | Promise<T>,
  detail: (value: T) => string,
): Promise<T> {
  const started = performance.now();
  const value = await action();
  report(step, (performance.now() - started) / 1000, detail(value));
  return value;
}

/** Runs a command; a failure stops the check with the command's last lines of output. */
function run(
  what: string,
  command: string,
  args: string[],
  options: { cwd: string; env: NodeJS.ProcessEnv },
) {
  const result = spawnSync(command, args, { ...options, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (result.error || result.status !== 0) {
    const output = `${result.stdout ?? ''}${result.stderr ?? ''}`.trim().split('\n').slice(-25).join('\n');
    throw new OperatorError(`${what} failed${result.error ? ` (${result.error.message})` : ''}:\n${output}`);
  }
  return result.stdout;
}

/** The project's own source files main.ts bundles (main.ts and constructs/), as esbuild resolves them. */
function bundledSources(): string[] {
  const { metafile } = buildSync({
    entryPoints: ['main.ts'],
    bundle: true,
    packages: 'external',
    platform: 'node',
    format: 'cjs',
    write: false,
    metafile: true,
    logLevel: 'silent',
  });
  return Object.keys(metafile.inputs).filter((input) => !input.startsWith('node_modules/'));
}

function packageJson(name: string, root = projectRoot) {
  return JSON.parse(readFileSync(path.join(root, 'node_modules', name, 'package.json'), 'utf8')) as {
    version: string;
    cdktf?: { provider?: { version?: string } };
  };
}

function providerOf(name: string, root: string): Versions['cdktfProvider'] {
  const manifest = packageJson(name, root);
  return { package: `${name} ${manifest.version}`, aws: manifest.cdktf?.provider?.version ?? '(unknown)' };
}

/**
 * The environment without what `npm run` says about this project (its prefix, package and script), so
 * the nested install acts on the copy only; npm's configuration (registry, cafile, cache) stays.
 */
function forNestedNpm(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const project = /^npm_(config_local_prefix|config_call|command|package_|lifecycle_)/i;
  return Object.fromEntries(Object.entries(env).filter(([name]) => !project.test(name)));
}

function show(value: unknown): string {
  return value === undefined ? '(absent)' : JSON.stringify(value);
}

async function main(): Promise<number> {
  let keep = false;
  try {
    const { values } = parseArgs({ options: { keep: { type: 'boolean', default: false } } });
    keep = values.keep;
  } catch (error) {
    throw new OperatorError(`${(error as Error).message}\n${USAGE}`);
  }
  const started = performance.now();
  const work = mkdtempSync(path.join(tmpdir(), 'petstore-check-cdktn-'));
  const copy = path.join(work, 'project');
  try {
    const sources = await timed(
      'rename',
      () => {
        let renamed = 0;
        const files = bundledSources();
        for (const file of files) {
          const result = renameImports(readFileSync(file, 'utf8'));
          if (result.unrenamed.length > 0) {
            throw new OperatorError(
              `${file} imports ${result.unrenamed.join(', ')}, which has no cdktn name here`,
            );
          }
          mkdirSync(path.dirname(path.join(copy, file)), { recursive: true });
          writeFileSync(path.join(copy, file), result.text);
          renamed += result.count;
        }
        cpSync('cdktf.json', path.join(copy, 'cdktf.json'));
        return { files, renamed };
      },
      ({ files, renamed }) => `${renamed} imports in ${files.length} files copied to ${copy}`,
    );

    const install = Object.entries(CDKTN_PACKAGES).map(([name, version]) => `${name}@${version}`);
    writeFileSync(path.join(copy, 'package.json'), `${JSON.stringify({ private: true }, null, 2)}\n`);
    await timed(
      'install',
      () =>
        run(
          'npm install',
          'npm',
          [
            'install',
            '--prefix',
            copy,
            '--no-audit',
            '--no-fund',
            '--no-package-lock',
            '--prefer-offline',
            '--loglevel=error',
            ...install,
          ],
          { cwd: copy, env: forNestedNpm(process.env) },
        ),
      () => `${install.join(', ')} (and their peer constructs) from the npm registry`,
    );
    // The app command (cdktf.json) runs node_modules/.bin/esbuild: the project's, as for cdktf.
    mkdirSync(path.join(copy, 'node_modules/.bin'), { recursive: true });
    symlinkSync(realpathSync('node_modules/.bin/esbuild'), path.join(copy, 'node_modules/.bin/esbuild'));

    writeFileSync(
      path.join(copy, 'tsconfig.json'),
      `${JSON.stringify(
        {
          extends: path.join(projectRoot, 'tsconfig.json'),
          compilerOptions: { types: ['node'], typeRoots: [path.join(projectRoot, 'node_modules/@types')] },
          include: sources.files,
          exclude: [],
        },
        null,
        2,
      )}\n`,
    );
    await timed(
      'typecheck',
      () =>
        run(
          'tsc on the renamed copy',
          path.join(projectRoot, 'node_modules/.bin/tsc'),
          ['--noEmit', '-p', '.'],
          {
            cwd: copy,
            env: process.env,
          },
        ),
      () => 'the renamed sources type-check against cdktn and @cdktn/provider-aws',
    );

    const env = { ...process.env, IMAGE_TAG, CHECKPOINT_DISABLE: '1' };
    const cdktfOut = path.join(work, 'cdktf.out');
    const cdktnOut = path.join(work, 'cdktn.out');
    await timed(
      'synth',
      () => {
        run('npm run synth (cdktf)', 'npx', ['cdktf', 'synth', '--output', cdktfOut], {
          cwd: projectRoot,
          env,
        });
        const app = (JSON.parse(readFileSync('cdktf.json', 'utf8')) as { app: string }).app;
        run('the app command on the renamed copy (cdktn)', 'bash', ['-c', app], {
          cwd: copy,
          env: { ...env, CDKTF_OUTDIR: cdktnOut },
        });
      },
      () => "both sides, with cdktf.json's app command",
    );

    const versions: Versions = {
      cdktf: packageJson('cdktf').version,
      cdktn: packageJson('cdktn', copy).version,
      cdktfProvider: providerOf('@cdktf/provider-aws', projectRoot),
      cdktnProvider: providerOf('@cdktn/provider-aws', copy),
    };
    const before = readSynthesizedStacks(cdktfOut);
    const after = readSynthesizedStacks(cdktnOut);
    const differences: Difference[] = [];
    const names = [...new Set([...before, ...after].map((stack) => stack.name))];
    for (const name of names) {
      const cdktf = before.find((stack) => stack.name === name);
      const cdktn = after.find((stack) => stack.name === name);
      if (!cdktf || !cdktn) {
        differences.push({
          stack: name,
          path: '',
          cdktf: cdktf ? 'synthesized' : undefined,
          cdktn: cdktn ? 'synthesized' : undefined,
        });
        continue;
      }
      const read = (file: string) => JSON.parse(readFileSync(file, 'utf8')) as unknown;
      differences.push(
        ...compareStack(
          name,
          { config: read(cdktf.configPath), root: projectRoot },
          { config: read(cdktn.configPath), root: copy },
          versions,
        ),
      );
    }

    for (const { stack, path: where, cdktf, cdktn, reason } of differences) {
      console.log(
        `${stack}: ${where || '(the stack)'}: ${show(cdktf)} → ${show(cdktn)} — ${reason ?? 'UNEXPLAINED'}`,
      );
    }
    const unexplained = differences.filter((difference) => difference.reason === undefined);
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    if (unexplained.length > 0) {
      console.log(
        `check:cdktn FAILED: ${unexplained.length} of ${differences.length} differences in ${names.length} stacks are unexplained (${seconds} s)`,
      );
      return 1;
    }
    console.log(
      `check:cdktn passed: ${names.length} stacks synthesize the same with cdktn ${versions.cdktn} but for ${differences.length} named differences (${seconds} s)`,
    );
    return 0;
  } finally {
    if (keep) console.log(`Kept ${work}`);
    else rmSync(work, { recursive: true, force: true });
  }
}

try {
  process.exitCode = await main();
} catch (error) {
  if (!(error instanceof OperatorError)) throw error;
  console.error(`check:cdktn: ${error.message}`);
  process.exitCode = 1;
}
