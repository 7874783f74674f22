import type { RemoteStateSettings } from '../../constructs/state-backend';
import { ConfigError } from '../../constructs/validation';
import { readDeploySettings } from '../../environments';
import { isRecord } from '../lib/json';
import { OperatorError, terraformOutputCommand } from '../lib/stack-outputs';

/** What pushing an image needs to know about a synthesized stack, from its `cdk.tf.json`. */
export interface ImageRepositoryTarget {
  /** `aws_ecr_repository.<logical id>` */
  readonly repositoryAddress: string;
  /** The `aws_ecr_lifecycle_policy` addresses of that repository: applied with it, so images expire by its rules from the first push. */
  readonly lifecyclePolicyAddresses: readonly string[];
  readonly repositoryName: string;
  readonly region: string;
  /** `docker build --platform`, from the task definition's CPU architecture. */
  readonly platform: 'linux/amd64' | 'linux/arm64';
  /** The S3 bucket holding the stack's state; undefined for local state. */
  readonly stateBucket: string | undefined;
}

/** A program and its arguments, run without a shell. */
export interface Command {
  readonly argv: readonly string[];
  /** Runs first; its standard output (a secret: never printed) becomes this command's standard input. */
  readonly stdinFrom?: Command;
}

const PLATFORMS = { X86_64: 'linux/amd64', ARM64: 'linux/arm64' } as const;

export function readImageRepositoryTarget(config: unknown, configPath: string): ImageRepositoryTarget {
  const problem = (message: string) => new OperatorError(`${configPath}: ${message}`);
  if (!isRecord(config) || !isRecord(config.resource)) throw problem('no "resource" object');
  const resources = config.resource;

  const repositories = Object.entries(
    isRecord(resources.aws_ecr_repository) ? resources.aws_ecr_repository : {},
  );
  const [repository, ...others] = repositories;
  if (repository === undefined || others.length > 0) {
    throw problem(`expected one aws_ecr_repository, found ${repositories.length}`);
  }
  const [repositoryId, repositoryConfig] = repository;
  const repositoryName = isRecord(repositoryConfig) ? repositoryConfig.name : undefined;
  if (typeof repositoryName !== 'string')
    throw problem(`aws_ecr_repository.${repositoryId} has no literal name`);

  const nameReference = `\${aws_ecr_repository.${repositoryId}.name}`;
  const lifecyclePolicies = isRecord(resources.aws_ecr_lifecycle_policy)
    ? resources.aws_ecr_lifecycle_policy
    : {};
  const lifecyclePolicyAddresses = Object.entries(lifecyclePolicies)
    .filter(([, policy]) => isRecord(policy) && policy.repository === nameReference)
    .map(([id]) => `aws_ecr_lifecycle_policy.${id}`);

  const providers = isRecord(config.provider) ? config.provider.aws : undefined;
  const region = Array.isArray(providers) && isRecord(providers[0]) ? providers[0].region : undefined;
  if (typeof region !== 'string') throw problem('no region in provider.aws');

  const taskDefinitions = isRecord(resources.aws_ecs_task_definition)
    ? Object.values(resources.aws_ecs_task_definition)
    : [];
  // Fargate's default architecture when a task definition names none.
  const architectures = new Set(
    taskDefinitions.map((definition) =>
      isRecord(definition) && isRecord(definition.runtime_platform)
        ? definition.runtime_platform.cpu_architecture
        : 'X86_64',
    ),
  );
  const [architecture = 'X86_64', ...otherArchitectures] = architectures;
  if (otherArchitectures.length > 0 || (architecture !== 'X86_64' && architecture !== 'ARM64')) {
    throw problem(
      `expected task definitions of one CPU architecture, X86_64 or ARM64; found ${[...architectures].join(', ')}`,
    );
  }

  const backend =
    isRecord(config.terraform) && isRecord(config.terraform.backend) ? config.terraform.backend : {};
  const stateBucket =
    isRecord(backend.s3) && typeof backend.s3.bucket === 'string' ? backend.s3.bucket : undefined;

  return {
    repositoryAddress: `aws_ecr_repository.${repositoryId}`,
    lifecyclePolicyAddresses,
    repositoryName,
    region,
    platform: PLATFORMS[architecture],
    stateBucket,
  };
}

/**
 * The targeted apply must write to the state deploys use. A `cdk.tf.json` synthesized with other
 * settings would create the repository in a state no deploy reads, and the next deploy's own create
 * would then fail on the existing repository.
 */
export function checkStateBackend(
  target: ImageRepositoryTarget,
  remoteState: RemoteStateSettings | undefined,
  configPath: string,
): void {
  if (target.stateBucket === remoteState?.bucket) return;
  const synthesized = target.stateBucket ? `S3 bucket ${target.stateBucket}` : 'a local state file';
  const wanted = remoteState ? `TF_STATE_BUCKET is ${remoteState.bucket}` : 'TF_STATE_BUCKET is unset';
  throw new OperatorError(
    `${configPath} keeps state in ${synthesized}, but ${wanted}: run \`npm run synth\` with the settings you deploy with`,
  );
}

/** The process environment's deploy settings, with a bad value reported as the operator's mistake. */
export function deploySettingsFrom(env: NodeJS.ProcessEnv): ReturnType<typeof readDeploySettings> {
  try {
    return readDeploySettings(env);
  } catch (error) {
    if (error instanceof ConfigError) throw new OperatorError(error.message);
    throw error;
  }
}

export interface TagInputs {
  /** `IMAGE_TAG`, validated by `deploySettingsFrom`; empty or undefined when unset. */
  readonly imageTag: string | undefined;
  /** `git rev-parse HEAD` */
  readonly headCommit: string;
  /** `git status --porcelain` lines: changed and untracked files. */
  readonly uncommitted: readonly string[];
  readonly allowDirty: boolean;
  readonly now: Date;
}

/**
 * `IMAGE_TAG`, else the commit SHA. A tag must mean committed code, so uncommitted changes are refused
 * unless `--allow-dirty`; then the tag is `<sha>-dirty-<UTC time>`, never the bare SHA: ECR tags are
 * immutable, so a dirty image under the SHA would stand for that commit for good.
 */
export function resolveImageTag(inputs: TagInputs): string {
  if (inputs.uncommitted.length > 0 && !inputs.allowDirty) {
    const shown = inputs.uncommitted.slice(0, 5).join(', ');
    const more = inputs.uncommitted.length > 5 ? ` and ${inputs.uncommitted.length - 5} more` : '';
    throw new OperatorError(
      `the work tree has uncommitted changes (${shown}${more}); an image tag must mean committed code. Commit them, or pass --allow-dirty`,
    );
  }
  if (inputs.imageTag) return inputs.imageTag;
  if (inputs.uncommitted.length === 0) return inputs.headCommit;
  const time = inputs.now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  return `${inputs.headCommit}-dirty-${time}`;
}

/**
 * Asks ECR for the repository's URL. Only when it answers RepositoryNotFoundException (a first deploy)
 * is the repository created by a targeted apply; otherwise Terraform is not touched here, and every
 * change to the repository goes through the reviewed plan like any other.
 */
export function repositoryProbeCommand(target: ImageRepositoryTarget): Command {
  return {
    argv: [
      'aws',
      'ecr',
      'describe-repositories',
      '--region',
      target.region,
      '--repository-names',
      target.repositoryName,
      '--query',
      'repositories[0].repositoryUrl',
      '--output',
      'text',
    ],
  };
}

/**
 * Asks ECR whether the tag is there already. Tags are immutable, so a tag that exists holds this very
 * commit's image (and could not be pushed again): a re-run skips the build.
 */
export function imageProbeCommand(target: ImageRepositoryTarget, tag: string): Command {
  return {
    argv: [
      'aws',
      'ecr',
      'describe-images',
      '--region',
      target.region,
      '--repository-name',
      target.repositoryName,
      '--image-ids',
      `imageTag=${tag}`,
    ],
  };
}

/** `terraform init`, then an apply of only the repository and its lifecycle policy: on a first deploy nothing else exists yet. */
export function planRepositoryCommands(workingDirectory: string, target: ImageRepositoryTarget): Command[] {
  const terraform = (...args: string[]): Command => ({
    argv: ['terraform', `-chdir=${workingDirectory}`, ...args],
  });
  const targets = [target.repositoryAddress, ...target.lifecyclePolicyAddresses].map(
    (address) => `-target=${address}`,
  );
  return [terraform('init', '-input=false'), terraform('apply', '-input=false', '-auto-approve', ...targets)];
}

/**
 * Every command a run would make, for `--dry-run`, then the deploy hint and the image URI, last and
 * alone as in a real run. The account id is unknown until the repository URL is read.
 */
export function dryRunLines(inputs: {
  readonly stack: string;
  readonly workingDirectory: string;
  readonly target: ImageRepositoryTarget;
  readonly tag: string;
}): string[] {
  const { stack, workingDirectory, target, tag } = inputs;
  const repositoryUrl = placeholderRepositoryUrl(target);
  return [
    `# npm run image:push -- --stack ${stack} would run:`,
    formatCommand(repositoryProbeCommand(target)),
    '# only if that finds no repository (a first deploy):',
    ...planRepositoryCommands(workingDirectory, target).map(formatCommand),
    `${formatCommand({ argv: terraformOutputCommand(workingDirectory) })}  # ecr_repository_url: ${repositoryUrl}`,
    formatCommand(imageProbeCommand(target, tag)),
    '# only if that finds no such image:',
    ...planImageCommands({ repositoryUrl, tag, target }).map(formatCommand),
    `# then deploy it: ${deployHint(stack, tag)}`,
    imageUri(repositoryUrl, tag),
  ];
}

/** Log in to the registry, build `app/Dockerfile` from the repository root (its build context) and push. */
export function planImageCommands(inputs: {
  readonly repositoryUrl: string;
  readonly tag: string;
  readonly target: ImageRepositoryTarget;
}): Command[] {
  const image = imageUri(inputs.repositoryUrl, inputs.tag);
  const registry = inputs.repositoryUrl.split('/')[0] ?? inputs.repositoryUrl;
  return [
    {
      argv: ['docker', 'login', '--username', 'AWS', '--password-stdin', registry],
      stdinFrom: { argv: ['aws', 'ecr', 'get-login-password', '--region', inputs.target.region] },
    },
    {
      argv: [
        'docker',
        'build',
        '--platform',
        inputs.target.platform,
        '-f',
        'app/Dockerfile',
        '-t',
        image,
        '.',
      ],
    },
    { argv: ['docker', 'push', image] },
  ];
}

export function imageUri(repositoryUrl: string, tag: string): string {
  return `${repositoryUrl}:${tag}`;
}

/** The repository URL with the account left as a placeholder, for a dry run. */
function placeholderRepositoryUrl(target: ImageRepositoryTarget): string {
  return `AWS_ACCOUNT_ID.dkr.ecr.${target.region}.amazonaws.com/${target.repositoryName}`;
}

export function deployHint(stack: string, tag: string): string {
  return `IMAGE_TAG=${tag} npm run deploy -- ${stack}`;
}

/** The command as it would be typed in a shell. */
export function formatCommand(command: Command): string {
  const line = command.argv.map(shellQuote).join(' ');
  return command.stdinFrom ? `${formatCommand(command.stdinFrom)} | ${line}` : line;
}

function shellQuote(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;
}
