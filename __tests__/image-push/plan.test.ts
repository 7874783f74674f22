import { readFileSync } from 'node:fs';
import { Testing } from 'cdktf';
import { PetStoreStack } from '../../constructs/pet-store-stack';
import { ENVIRONMENTS } from '../../environments';
import {
  checkStateBackend,
  deploySettingsFrom,
  dryRunLines,
  formatCommand,
  type ImageRepositoryTarget,
  imageProbeCommand,
  planImageCommands,
  planRepositoryCommands,
  readImageRepositoryTarget,
  resolveImageTag,
} from '../../scripts/image-push/plan';
import { OperatorError } from '../../scripts/lib/stack-outputs';

const FIXTURE_PATH = new URL('../fixtures/image-push/cdk.tf.json', import.meta.url);
const CONFIG_PATH = 'cdktf.out/stacks/petstore-prod/cdk.tf.json';
const WORKING_DIRECTORY = 'cdktf.out/stacks/petstore-prod';
const SHA = '75aa00c4923ee3457dbea9bcd46c7214546bd41f';
const REPOSITORY_URL = '123456789012.dkr.ecr.us-east-1.amazonaws.com/petstore-prod/pet-service';

/** The parts of cdk.tf.json the tests edit. */
interface SynthesizedConfig {
  resource: {
    aws_ecr_repository: Record<string, unknown>;
    aws_ecr_lifecycle_policy: Record<string, unknown>;
    aws_ecs_task_definition: Record<string, unknown>;
  };
  terraform: { backend: unknown };
}

/** The prod stack as CI synthesizes it (S3 state), trimmed to the resources that matter here. */
function synthesizedConfig(): SynthesizedConfig {
  return JSON.parse(readFileSync(FIXTURE_PATH, 'utf8'));
}

function targetOf(config: unknown): ImageRepositoryTarget {
  return readImageRepositoryTarget(config, CONFIG_PATH);
}

describe('readImageRepositoryTarget', () => {
  it('finds the repository, its lifecycle policy, region, platform and state bucket in cdk.tf.json', () => {
    expect(targetOf(synthesizedConfig())).toEqual({
      repositoryAddress: 'aws_ecr_repository.ImageRepository_AF55A2B4',
      lifecyclePolicyAddresses: ['aws_ecr_lifecycle_policy.ImageRepository_LifecyclePolicy_2AE438EE'],
      repositoryName: 'petstore-prod/pet-service',
      region: 'us-east-1',
      platform: 'linux/amd64',
      stateBucket: 'petstore-tf-state-123456789012',
    });
  });

  it.each(ENVIRONMENTS.map((environment) => [environment.name, environment] as const))(
    'finds them in the %s stack the constructs synthesize today',
    (name, environment) => {
      const stack = new PetStoreStack(Testing.app(), `petstore-${name}`, { environment, imageTag: 'abc123' });
      const target = targetOf(JSON.parse(Testing.synth(stack)));
      expect(target.repositoryAddress).toMatch(/^aws_ecr_repository\.\w+$/);
      expect(target.lifecyclePolicyAddresses).toEqual([
        expect.stringMatching(/^aws_ecr_lifecycle_policy\.\w+$/),
      ]);
      expect(target.repositoryName).toBe(`petstore-${name}/pet-service`);
      expect(target.region).toBe(environment.region);
      expect(target.stateBucket).toBeUndefined();
    },
  );

  it('builds for ARM when the task definition runs on ARM', () => {
    const config = synthesizedConfig();
    config.resource.aws_ecs_task_definition.PetService_TaskDefinition_1AEF9D64 = {
      runtime_platform: { cpu_architecture: 'ARM64', operating_system_family: 'LINUX' },
    };
    expect(targetOf(config).platform).toBe('linux/arm64');
  });

  it('refuses task definitions of different architectures: one image cannot serve both', () => {
    const config = synthesizedConfig();
    config.resource.aws_ecs_task_definition.Worker = { runtime_platform: { cpu_architecture: 'ARM64' } };
    expect(() => targetOf(config)).toThrow(
      `${CONFIG_PATH}: expected task definitions of one CPU architecture, X86_64 or ARM64; found X86_64, ARM64`,
    );
  });

  it('targets only the lifecycle policies of this repository', () => {
    const config = synthesizedConfig();
    config.resource.aws_ecr_lifecycle_policy.Other = { repository: 'some-other-repository', policy: '{}' };
    expect(targetOf(config).lifecyclePolicyAddresses).toEqual([
      'aws_ecr_lifecycle_policy.ImageRepository_LifecyclePolicy_2AE438EE',
    ]);
  });

  it.each([
    ['none', {}],
    ['two', { A: { name: 'a' }, B: { name: 'b' } }],
  ])('refuses a stack with %s ECR repositories', (_, repositories) => {
    const config = synthesizedConfig();
    config.resource.aws_ecr_repository = repositories;
    expect(() => targetOf(config)).toThrow(OperatorError);
    expect(() => targetOf(config)).toThrow(
      `expected one aws_ecr_repository, found ${Object.keys(repositories).length}`,
    );
  });

  it('reads a local-state stack as having no bucket', () => {
    const config = synthesizedConfig();
    config.terraform.backend = { local: { path: '/work/terraform.petstore-prod.tfstate' } };
    expect(targetOf(config).stateBucket).toBeUndefined();
  });
});

describe('checkStateBackend', () => {
  const target = targetOf(synthesizedConfig());

  it('accepts a synth whose state bucket is TF_STATE_BUCKET', () => {
    expect(() =>
      checkStateBackend(target, { bucket: 'petstore-tf-state-123456789012' }, CONFIG_PATH),
    ).not.toThrow();
  });

  it('refuses a synth with S3 state when TF_STATE_BUCKET is unset, or another bucket', () => {
    expect(() => checkStateBackend(target, undefined, CONFIG_PATH)).toThrow(
      `${CONFIG_PATH} keeps state in S3 bucket petstore-tf-state-123456789012, but TF_STATE_BUCKET is unset: run \`npm run synth\` with the settings you deploy with`,
    );
    expect(() => checkStateBackend(target, { bucket: 'other-bucket' }, CONFIG_PATH)).toThrow(
      'but TF_STATE_BUCKET is other-bucket',
    );
  });

  it('refuses a local-state synth when TF_STATE_BUCKET is set', () => {
    const local = { ...target, stateBucket: undefined };
    expect(() => checkStateBackend(local, { bucket: 'petstore-tf-state-123456789012' }, CONFIG_PATH)).toThrow(
      'keeps state in a local state file, but TF_STATE_BUCKET is petstore-tf-state-123456789012',
    );
  });
});

describe('resolveImageTag', () => {
  const now = new Date('2026-11-21T17:31:31.123Z');
  const clean = { imageTag: undefined, headCommit: SHA, uncommitted: [], allowDirty: false, now };

  it('is the commit SHA for a clean work tree', () => {
    expect(resolveImageTag(clean)).toBe(SHA);
  });

  it('is IMAGE_TAG when set', () => {
    expect(resolveImageTag({ ...clean, imageTag: 'latest' })).toBe('latest');
  });

  it('refuses uncommitted changes, naming them', () => {
    const uncommitted = ['M app/server.ts', '?? notes.txt'];
    expect(() => resolveImageTag({ ...clean, uncommitted })).toThrow(OperatorError);
    expect(() => resolveImageTag({ ...clean, uncommitted })).toThrow(
      'the work tree has uncommitted changes (M app/server.ts, ?? notes.txt); an image tag must mean committed code. Commit them, or pass --allow-dirty',
    );
    // IMAGE_TAG does not make a dirty tree acceptable.
    expect(() => resolveImageTag({ ...clean, uncommitted, imageTag: SHA })).toThrow('--allow-dirty');
  });

  it('names at most five changes', () => {
    const uncommitted = Array.from({ length: 8 }, (_, index) => `?? file-${index}`);
    expect(() => resolveImageTag({ ...clean, uncommitted })).toThrow(
      '(?? file-0, ?? file-1, ?? file-2, ?? file-3, ?? file-4 and 3 more)',
    );
  });

  it('with --allow-dirty, marks the tag dirty and unique instead of reusing the SHA', () => {
    const dirty = { ...clean, uncommitted: ['M app/server.ts'], allowDirty: true };
    expect(resolveImageTag(dirty)).toBe(`${SHA}-dirty-20261121T173131Z`);
    expect(resolveImageTag({ ...dirty, imageTag: 'latest' })).toBe('latest');
  });

  it('checks IMAGE_TAG as the deploy does', () => {
    expect(() => deploySettingsFrom({ IMAGE_TAG: 'not a tag' })).toThrow(OperatorError);
    expect(() => deploySettingsFrom({ IMAGE_TAG: 'not a tag' })).toThrow("`IMAGE_TAG` is 'not a tag'");
  });
});

describe('planned commands', () => {
  const target = targetOf(synthesizedConfig());

  it('applies only the repository and its lifecycle policy, after init', () => {
    expect(planRepositoryCommands(WORKING_DIRECTORY, target)).toEqual([
      { argv: ['terraform', `-chdir=${WORKING_DIRECTORY}`, 'init', '-input=false'] },
      {
        argv: [
          'terraform',
          `-chdir=${WORKING_DIRECTORY}`,
          'apply',
          '-input=false',
          '-auto-approve',
          '-target=aws_ecr_repository.ImageRepository_AF55A2B4',
          '-target=aws_ecr_lifecycle_policy.ImageRepository_LifecyclePolicy_2AE438EE',
        ],
      },
    ]);
  });

  it('logs in to the registry with a piped password, builds app/Dockerfile from the root, pushes', () => {
    const image = `${REPOSITORY_URL}:${SHA}`;
    expect(planImageCommands({ repositoryUrl: REPOSITORY_URL, tag: SHA, target })).toEqual([
      {
        argv: [
          'docker',
          'login',
          '--username',
          'AWS',
          '--password-stdin',
          '123456789012.dkr.ecr.us-east-1.amazonaws.com',
        ],
        stdinFrom: { argv: ['aws', 'ecr', 'get-login-password', '--region', 'us-east-1'] },
      },
      { argv: ['docker', 'build', '--platform', 'linux/amd64', '-f', 'app/Dockerfile', '-t', image, '.'] },
      { argv: ['docker', 'push', image] },
    ]);
  });

  it('uses the root as build context because app/Dockerfile copies the package files and app/ from it', () => {
    const dockerfile = readFileSync(new URL('../../app/Dockerfile', import.meta.url), 'utf8');
    expect(dockerfile).toMatch(/^COPY package\.json package-lock\.json /m);
    expect(dockerfile).toMatch(/^COPY app /m);
  });

  it('formats commands as a shell would take them, quoting where needed', () => {
    expect(formatCommand({ argv: ['docker', 'push', 'repo:tag'] })).toBe('docker push repo:tag');
    expect(formatCommand({ argv: ['echo', "it's here", ''] })).toBe(`echo 'it'\\''s here' ''`);
    expect(
      formatCommand({
        argv: ['docker', 'login', '--password-stdin', 'r'],
        stdinFrom: { argv: ['aws', 'x'] },
      }),
    ).toBe('aws x | docker login --password-stdin r');
  });

  it('dry run: every command in order, the deploy hint, then the image URI alone on the last line', () => {
    const image = `AWS_ACCOUNT_ID.dkr.ecr.us-east-1.amazonaws.com/petstore-prod/pet-service:${SHA}`;
    expect(
      dryRunLines({ stack: 'petstore-prod', workingDirectory: WORKING_DIRECTORY, target, tag: SHA }),
    ).toEqual([
      '# npm run image:push -- --stack petstore-prod would run:',
      "aws ecr describe-repositories --region us-east-1 --repository-names petstore-prod/pet-service --query 'repositories[0].repositoryUrl' --output text",
      '# only if that finds no repository (a first deploy):',
      `terraform -chdir=${WORKING_DIRECTORY} init -input=false`,
      `terraform -chdir=${WORKING_DIRECTORY} apply -input=false -auto-approve -target=aws_ecr_repository.ImageRepository_AF55A2B4 -target=aws_ecr_lifecycle_policy.ImageRepository_LifecyclePolicy_2AE438EE`,
      `terraform -chdir=${WORKING_DIRECTORY} output -json -no-color  # ecr_repository_url: AWS_ACCOUNT_ID.dkr.ecr.us-east-1.amazonaws.com/petstore-prod/pet-service`,
      `aws ecr describe-images --region us-east-1 --repository-name petstore-prod/pet-service --image-ids imageTag=${SHA}`,
      '# only if that finds no such image:',
      'aws ecr get-login-password --region us-east-1 | docker login --username AWS --password-stdin AWS_ACCOUNT_ID.dkr.ecr.us-east-1.amazonaws.com',
      `docker build --platform linux/amd64 -f app/Dockerfile -t ${image} .`,
      `docker push ${image}`,
      `# then deploy it: IMAGE_TAG=${SHA} npm run deploy -- petstore-prod`,
      image,
    ]);
  });

  it('every tag is immutable, so each is looked up before a build', () => {
    expect(imageProbeCommand(target, 'latest').argv).toContain('imageTag=latest');
    expect(imageProbeCommand(target, SHA).argv).toContain(`imageTag=${SHA}`);
  });
});
