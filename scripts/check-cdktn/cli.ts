/**
 * `npm run check:cdktn`: proves the project is one step from CDK Terrain (cdktn), the community fork of
 * the archived cdktf. A temporary copy of the sources main.ts bundles gets its imports renamed and cdktn
 * from the npm registry (never the project), is type-checked, and synthesizes as the project does; every
 * difference in the stacks' Terraform JSON is listed, and any but the known ones (compare.ts) fails it.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { buildSync } from 'esbuild';
import { readSynthesizedStacks } from '../lib/cdktf-manifest';
import { OperatorError, runCommand } from '../lib/operator-error';
import { compareStacks, renameImports } from './compare';

/** What the check installs: CDK Terrain's library and its AWS provider bindings. */
const CDKTN_PACKAGES = ['cdktn@0.24.0', '@cdktn/provider-aws@25.7.0'];

const root = process.cwd();
const work = mkdtempSync(path.join(tmpdir(), 'petstore-check-cdktn-'));
const copy = path.join(work, 'project');

/** Runs a command; a failure stops the check with the command's last lines of output. */
function run(what: string, command: string, args: string[], cwd: string, env = process.env): void {
  console.log(`check:cdktn: ${what}`);
  const result = spawnSync(command, args, { cwd, env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (result.error || result.status !== 0) {
    const output = `${result.stdout ?? ''}${result.stderr ?? ''}`.trim().split('\n').slice(-25).join('\n');
    throw new OperatorError(`${what} failed${result.error ? ` (${result.error.message})` : ''}:\n${output}`);
  }
}

/**
 * Synthesizes with cdktf.json's app command: `{ <stack>: <its cdk.tf.json> }`, the directory's path made
 * neutral; and the hashicorp/aws version the library's provider bindings were generated from.
 */
function synth(library: 'cdktf' | 'cdktn', directory: string) {
  const out = path.join(work, `${library}.out`);
  // The copy is no git work tree to take the image tag from: both sides get the same one.
  const env = { ...process.env, IMAGE_TAG: 'check-cdktn', CHECKPOINT_DISABLE: '1', CDKTF_OUTDIR: out };
  const app = JSON.parse(readFileSync('cdktf.json', 'utf8')).app;
  run(`synth with ${library}`, 'bash', ['-c', app], directory, env);
  const read = (file: string) => JSON.parse(readFileSync(file, 'utf8').replaceAll(directory, '<synth dir>'));
  const stacks = readSynthesizedStacks(out).map((stack) => [stack.name, read(stack.configPath)]);
  const bindings = path.join(directory, 'node_modules', `@${library}/provider-aws`, 'package.json');
  const { version } = JSON.parse(readFileSync(bindings, 'utf8')).cdktf.provider;
  return { stacks: Object.fromEntries(stacks), aws: version as string };
}

function main(): number {
  // The project's own files main.ts bundles, as esbuild resolves them, renamed into the copy.
  const bundle = { bundle: true, packages: 'external', metafile: true, write: false } as const;
  const sources = Object.keys(buildSync({ entryPoints: ['main.ts'], ...bundle }).metafile.inputs);
  for (const file of sources) {
    const { text, unrenamed } = renameImports(readFileSync(file, 'utf8'));
    if (unrenamed.length > 0)
      throw new OperatorError(`${file} imports ${unrenamed.join(', ')}, which has no cdktn name here`);
    mkdirSync(path.dirname(path.join(copy, file)), { recursive: true });
    writeFileSync(path.join(copy, file), text);
  }
  writeFileSync(path.join(copy, 'package.json'), '{ "private": true }\n');
  console.log(`check:cdktn: the imports of ${sources.length} files renamed in ${copy}`);

  // Without what `npm run` says about this project (its prefix, package, script), the nested install
  // acts on the copy only; npm's configuration (registry, cafile, cache) stays.
  const project = /^npm_(config_local_prefix|config_call|command|package_|lifecycle_)/i;
  const npmEnv = Object.fromEntries(Object.entries(process.env).filter(([name]) => !project.test(name)));
  const install = ['install', '--prefix', copy, '--no-audit', '--no-fund', ...CDKTN_PACKAGES];
  run(`npm install ${CDKTN_PACKAGES.join(' ')} from the npm registry`, 'npm', install, copy, npmEnv);
  // The app command runs node_modules/.bin/esbuild: the project's, as for cdktf.
  mkdirSync(path.join(copy, 'node_modules/.bin'));
  symlinkSync(path.join(root, 'node_modules/.bin/esbuild'), path.join(copy, 'node_modules/.bin/esbuild'));

  // The project's compiler options, with Node's types from the project (the copy has none).
  const compilerOptions = { types: ['node'], typeRoots: [path.join(root, 'node_modules/@types')] };
  const tsconfig = { extends: path.join(root, 'tsconfig.json'), compilerOptions, include: sources };
  writeFileSync(path.join(copy, 'tsconfig.json'), JSON.stringify(tsconfig));
  run('tsc on the renamed copy, against cdktn', path.join(root, 'node_modules/.bin/tsc'), ['--noEmit'], copy);

  const [cdktf, cdktn] = [synth('cdktf', root), synth('cdktn', copy)];
  const differences = compareStacks(cdktf.stacks, cdktn.stacks, [cdktf.aws, cdktn.aws]);
  const show = (value: unknown) => (value === undefined ? '(absent)' : JSON.stringify(value).slice(0, 200));
  for (const { path: where, cdktf: before, cdktn: after, reason } of differences)
    console.log(`${where}: ${show(before)} → ${show(after)} — ${reason ?? 'UNEXPLAINED'}`);
  const unexplained = differences.filter((difference) => difference.reason === undefined).length;
  const stacks = `${Object.keys({ ...cdktf.stacks, ...cdktn.stacks }).length} stacks`;
  if (unexplained > 0) {
    console.log(`check:cdktn FAILED: ${unexplained} of ${differences.length} differences unexplained`);
    return 1;
  }
  console.log(`check:cdktn passed: ${stacks} the same but for ${differences.length} named differences`);
  return 0;
}

await runCommand('check:cdktn', main).finally(() => rmSync(work, { recursive: true, force: true }));
