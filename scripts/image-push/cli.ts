/**
 * `npm run image:push -- --stack <name> [--dry-run] [--allow-dirty]`: builds the service image
 * (app/Dockerfile), pushes it to the stack's ECR repository tagged `$IMAGE_TAG` or the commit SHA,
 * and prints how to deploy that tag. On a first deploy the repository does not exist yet, so it is
 * applied on its own first; a tag already in ECR is not built again. The image URI is the last line of standard output (everything else goes
 * to standard error), for workflows. Run from the repository root, as npm does.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import {
  findSynthesizedStack,
  OperatorError,
  parseTerraformOutputs,
  readTerraformOutputs,
  requireKnownStack,
  requireOutputs,
} from '../lib/stack-outputs';
import {
  type Command,
  checkStateBackend,
  deployHint,
  deploySettingsFrom,
  dryRunLines,
  formatCommand,
  type ImageRepositoryTarget,
  imageProbeCommand,
  imageUri,
  planImageCommands,
  planRepositoryCommands,
  readImageRepositoryTarget,
  repositoryProbeCommand,
  resolveImageTag,
} from './plan';

const CDKTF_OUT = 'cdktf.out';
const USAGE = 'usage: npm run image:push -- --stack <name> [--dry-run] [--allow-dirty]';

try {
  main();
} catch (error) {
  if (!(error instanceof OperatorError)) throw error;
  console.error(`image:push: ${error.message}`);
  process.exitCode = 1;
}

function main(): void {
  const options = parseOptions();
  const stack = requireKnownStack(options.stack);
  const settings = deploySettingsFrom(process.env);
  const tag = resolveImageTag({
    imageTag: process.env.IMAGE_TAG,
    headCommit: git('rev-parse', 'HEAD').trim(),
    uncommitted: git('status', '--porcelain')
      .split('\n')
      .map((line) => line.trim())
      .filter(Boolean),
    allowDirty: options.allowDirty,
    now: new Date(),
  });

  let synthesized = findSynthesizedStack(CDKTF_OUT, stack);
  if (synthesized === undefined || !existsSync(synthesized.configPath)) {
    if (options.dryRun) {
      throw new OperatorError(
        `${stack} is not synthesized: run \`npm run synth\` first (a dry run runs nothing)`,
      );
    }
    run({ argv: ['npm', 'run', 'synth'] });
    synthesized = findSynthesizedStack(CDKTF_OUT, stack);
    if (synthesized === undefined) throw new OperatorError(`\`npm run synth\` produced no ${stack}`);
  }
  const { configPath, workingDirectory } = synthesized;
  const target = readImageRepositoryTarget(JSON.parse(readFileSync(configPath, 'utf8')), configPath);
  checkStateBackend(target, settings.remoteState, configPath);

  if (options.dryRun) {
    for (const line of dryRunLines({ stack, workingDirectory, target, tag })) console.log(line);
    return;
  }

  const repository = probe(repositoryProbeCommand(target), 'RepositoryNotFoundException');
  const repositoryUrl = repository.found
    ? repository.stdout.trim()
    : createRepository(stack, workingDirectory, target);

  if (probe(imageProbeCommand(target, tag), 'ImageNotFoundException').found) {
    console.error(
      `${imageUri(repositoryUrl, tag)} is in ECR already; its tag is immutable, so nothing to build.`,
    );
  } else {
    for (const command of planImageCommands({ repositoryUrl, tag, target })) run(command);
    console.error('Pushed.');
  }
  console.error(`Deploy it: ${deployHint(stack, tag)}`);
  console.log(imageUri(repositoryUrl, tag));
}

/** A first deploy: the targeted apply creates the repository, whose URL Terraform then reports. */
function createRepository(stack: string, workingDirectory: string, target: ImageRepositoryTarget): string {
  for (const command of planRepositoryCommands(workingDirectory, target)) run(command);
  const source = `the outputs of ${stack}`;
  return requireOutputs(
    parseTerraformOutputs(readTerraformOutputs(workingDirectory), source),
    ['ecr_repository_url'],
    source,
  ).ecr_repository_url;
}

/**
 * Runs a look-up whose "not found" is an answer, not a failure: `found` is false when the command
 * fails with `notFound` in its error output; any other failure (credentials, network) stops the run.
 */
function probe(command: Command, notFound: string): { found: boolean; stdout: string } {
  console.error(`$ ${formatCommand(command)}`);
  const [program = '', ...args] = command.argv;
  const result = spawnSync(program, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  if (result.error !== undefined) throw new OperatorError(`${program}: ${spawnErrorReason(result.error)}`);
  if (result.status === 0) return { found: true, stdout: result.stdout };
  if (result.stderr.includes(notFound)) return { found: false, stdout: '' };
  throw new OperatorError(
    `\`${formatCommand(command)}\` failed (exit ${result.status ?? result.signal}): ${result.stderr.trim()}`,
  );
}

function parseOptions(): { stack: string | undefined; dryRun: boolean; allowDirty: boolean } {
  try {
    const { values } = parseArgs({
      options: {
        stack: { type: 'string' },
        'dry-run': { type: 'boolean', default: false },
        'allow-dirty': { type: 'boolean', default: false },
      },
      strict: true,
      allowPositionals: false,
    });
    return { stack: values.stack, dryRun: values['dry-run'], allowDirty: values['allow-dirty'] };
  } catch (error) {
    throw new OperatorError(`${(error as Error).message}\n${USAGE}`);
  }
}

function git(...args: string[]): string {
  const result = spawnSync('git', args, { encoding: 'utf8' });
  if (result.error !== undefined || result.status !== 0) {
    throw new OperatorError(
      `\`git ${args.join(' ')}\` failed: ${result.error?.message ?? result.stderr.trim()}`,
    );
  }
  return result.stdout;
}

/** Runs the command with its output on standard error, so that standard output carries only the image URI. */
function run(command: Command): void {
  console.error(`$ ${formatCommand(command)}`);
  let input: Buffer | undefined;
  if (command.stdinFrom) {
    // Captured, not piped through a shell: the registry password never reaches a terminal or a log.
    input = spawnChecked(command.stdinFrom, ['inherit', 'pipe', 'inherit']).stdout;
  }
  spawnChecked(command, [input === undefined ? 'inherit' : 'pipe', 2, 'inherit'], input);
}

function spawnChecked(
  command: Command,
  stdio: ['inherit' | 'pipe', 'pipe' | 2, 'inherit'],
  input?: Buffer,
): { stdout: Buffer } {
  const [program = '', ...args] = command.argv;
  const result = spawnSync(program, args, {
    stdio,
    input,
    env: { ...process.env, CHECKPOINT_DISABLE: '1' },
  });
  if (result.error !== undefined) throw new OperatorError(`${program}: ${spawnErrorReason(result.error)}`);
  if (result.status !== 0) {
    throw new OperatorError(
      `\`${formatCommand({ argv: command.argv })}\` failed (exit ${result.status ?? result.signal})`,
    );
  }
  return { stdout: result.stdout };
}

function spawnErrorReason(error: Error): string {
  return (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'not installed or not on PATH' : error.message;
}
