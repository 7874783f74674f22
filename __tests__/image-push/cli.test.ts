import { execFileSync, spawnSync } from 'node:child_process';
import {
  chmodSync,
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const SCRIPT = fileURLToPath(new URL('../../scripts/image-push/cli.ts', import.meta.url));
// The script runs in a checkout of its own, which has no node_modules to find tsx in.
const TSX = import.meta.resolve('tsx');
const FIXTURE = fileURLToPath(new URL('../fixtures/image-push/cdk.tf.json', import.meta.url));
const STATE_BUCKET = 'petstore-tf-state-123456789012';
const REPOSITORY_URL = '123456789012.dkr.ecr.us-east-1.amazonaws.com/petstore-prod/pet-service';
const REGISTRY_PASSWORD = 'eyJwYXlsb2FkIjoiZmFrZS1yZWdpc3RyeS1wYXNzd29yZCJ9';

let checkout: string;
let fakeBin: string;
let callLog: string;

/**
 * A committed checkout with the prod stack synthesized (cdktf.out is ignored, as in the project),
 * and stand-in `terraform`, `aws` and `docker` programs that log each call (and what came on
 * standard input) instead of touching AWS. ECR knows the repository when REPOSITORY_EXISTS is set
 * and the image when IMAGE_EXISTS is; AWS_ERROR makes its look-ups fail otherwise; `docker build`
 * fails when FAIL_DOCKER_BUILD is set.
 */
beforeEach(() => {
  checkout = mkdtempSync(path.join(tmpdir(), 'image-push-'));
  const stackDir = path.join(checkout, 'cdktf.out/stacks/petstore-prod');
  mkdirSync(stackDir, { recursive: true });
  copyFileSync(FIXTURE, path.join(stackDir, 'cdk.tf.json'));
  writeFileSync(
    path.join(checkout, 'cdktf.out/manifest.json'),
    JSON.stringify({
      version: '0.21.0',
      stacks: {
        'petstore-prod': {
          name: 'petstore-prod',
          dependencies: [],
          synthesizedStackPath: 'stacks/petstore-prod/cdk.tf.json',
          workingDirectory: 'stacks/petstore-prod',
        },
      },
    }),
  );
  writeFileSync(path.join(checkout, '.gitignore'), 'cdktf.out/\n');
  git('init', '--quiet');
  git('add', '.gitignore');
  git('commit', '--quiet', '-m', 'initial');

  fakeBin = mkdtempSync(path.join(tmpdir(), 'image-push-bin-'));
  callLog = path.join(fakeBin, 'calls.jsonl');
  const outputs = { ecr_repository_url: { sensitive: false, type: 'string', value: REPOSITORY_URL } };
  const program = (name: string, body: string) => {
    const file = path.join(fakeBin, name);
    writeFileSync(
      file,
      `#!${process.execPath}
const fs = require('node:fs');
const args = process.argv.slice(2);
const stdin = process.stdin.isTTY ? '' : fs.readFileSync(0, 'utf8');
fs.appendFileSync(${JSON.stringify(callLog)}, JSON.stringify({ argv: [${JSON.stringify(name)}, ...args], stdin }) + '\\n');
${body}
`,
    );
    chmodSync(file, 0o755);
  };
  program(
    'terraform',
    `if (args.includes('output')) process.stdout.write(${JSON.stringify(JSON.stringify(outputs))});`,
  );
  program(
    'aws',
    `const lookUp = (exists, notFound, answer) => {
  if (process.env.AWS_ERROR) { process.stderr.write('An error occurred (' + process.env.AWS_ERROR + ')'); process.exit(254); }
  if (!process.env[exists]) { process.stderr.write('An error occurred (' + notFound + ') when calling it'); process.exit(254); }
  process.stdout.write(answer);
};
if (args[1] === 'describe-repositories') lookUp('REPOSITORY_EXISTS', 'RepositoryNotFoundException', ${JSON.stringify(`${REPOSITORY_URL}
`)});
else if (args[1] === 'describe-images') lookUp('IMAGE_EXISTS', 'ImageNotFoundException', '{"imageDetails":[{}]}');
else process.stdout.write(${JSON.stringify(REGISTRY_PASSWORD)});`,
  );
  program(
    'docker',
    `if (args[0] === 'build' && process.env.FAIL_DOCKER_BUILD) process.exit(1);
console.log('docker ' + args[0] + ' done');`,
  );
});

afterEach(() => {
  rmSync(checkout, { recursive: true, force: true });
  rmSync(fakeBin, { recursive: true, force: true });
});

function git(...args: string[]): string {
  return execFileSync('git', ['-c', 'user.name=Test', '-c', 'user.email=test@example.com', ...args], {
    cwd: checkout,
    encoding: 'utf8',
  }).trim();
}

function imagePush(args: string[], env: Record<string, string> = {}) {
  const { IMAGE_TAG, TF_STATE_BUCKET, TF_STATE_REGION, FAIL_DOCKER_BUILD, AWS_ERROR, ...inherited } =
    process.env;
  const result = spawnSync(process.execPath, ['--import', TSX, SCRIPT, ...args], {
    cwd: checkout,
    encoding: 'utf8',
    // stdin is closed, so the fakes see no input unless the script pipes some.
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...inherited,
      PATH: `${fakeBin}${path.delimiter}${process.env.PATH}`,
      TF_STATE_BUCKET: STATE_BUCKET,
      ...env,
    },
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

function calls(): { argv: string[]; stdin: string }[] {
  try {
    return readFileSync(callLog, 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
  } catch {
    return [];
  }
}

const describeRepositories = [
  'aws',
  'ecr',
  'describe-repositories',
  '--region',
  'us-east-1',
  '--repository-names',
  'petstore-prod/pet-service',
  '--query',
  'repositories[0].repositoryUrl',
  '--output',
  'text',
];
const describeImages = (tag: string) => [
  'aws',
  'ecr',
  'describe-images',
  '--region',
  'us-east-1',
  '--repository-name',
  'petstore-prod/pet-service',
  '--image-ids',
  `imageTag=${tag}`,
];

describe('npm run image:push', () => {
  it('on a first deploy creates the repository, logs in, builds, pushes; the image URI alone on stdout', () => {
    const sha = git('rev-parse', 'HEAD');
    const image = `${REPOSITORY_URL}:${sha}`;
    const dir = path.join('cdktf.out', 'stacks', 'petstore-prod');

    const { status, stdout, stderr } = imagePush(['--stack', 'petstore-prod']);

    expect(stderr).not.toContain('image:push:');
    expect(status).toBe(0);
    expect(stdout).toBe(`${image}\n`);
    expect(calls()).toEqual([
      { argv: describeRepositories, stdin: '' },
      { argv: ['terraform', `-chdir=${dir}`, 'init', '-input=false'], stdin: '' },
      {
        argv: [
          'terraform',
          `-chdir=${dir}`,
          'apply',
          '-input=false',
          '-auto-approve',
          '-target=aws_ecr_repository.ImageRepository_AF55A2B4',
          '-target=aws_ecr_lifecycle_policy.ImageRepository_LifecyclePolicy_2AE438EE',
        ],
        stdin: '',
      },
      { argv: ['terraform', `-chdir=${dir}`, 'output', '-json', '-no-color'], stdin: '' },
      { argv: describeImages(sha), stdin: '' },
      { argv: ['aws', 'ecr', 'get-login-password', '--region', 'us-east-1'], stdin: '' },
      {
        argv: ['docker', 'login', '--username', 'AWS', '--password-stdin', REPOSITORY_URL.split('/')[0]],
        stdin: REGISTRY_PASSWORD,
      },
      {
        argv: ['docker', 'build', '--platform', 'linux/amd64', '-f', 'app/Dockerfile', '-t', image, '.'],
        stdin: '',
      },
      { argv: ['docker', 'push', image], stdin: '' },
    ]);
    // Progress and the programs' own output go to stderr; the registry password nowhere.
    expect(stderr).toContain('docker push done');
    expect(stderr).toContain(`Deploy it: IMAGE_TAG=${sha} npm run deploy -- petstore-prod`);
    expect(stderr).not.toContain(REGISTRY_PASSWORD);
  });

  it('leaves Terraform alone when the repository exists: changes to it go through the reviewed plan', () => {
    const sha = git('rev-parse', 'HEAD');
    const { status, stdout } = imagePush(['--stack', 'petstore-prod'], { REPOSITORY_EXISTS: '1' });
    expect(status).toBe(0);
    expect(stdout).toBe(`${REPOSITORY_URL}:${sha}\n`);
    expect(calls().map((call) => call.argv[0])).not.toContain('terraform');
    expect(calls().map((call) => call.argv.slice(0, 2).join(' '))).toContain('docker push');
  });

  it('a re-run finds its immutable tag in ECR and builds nothing', () => {
    const sha = git('rev-parse', 'HEAD');
    const { status, stdout, stderr } = imagePush(['--stack', 'petstore-prod'], {
      REPOSITORY_EXISTS: '1',
      IMAGE_EXISTS: '1',
    });
    expect(status).toBe(0);
    expect(stdout).toBe(`${REPOSITORY_URL}:${sha}\n`);
    expect(stderr).toContain('is in ECR already; its tag is immutable, so nothing to build.');
    expect(calls().map((call) => call.argv)).toEqual([describeRepositories, describeImages(sha)]);
  });

  it('tags with IMAGE_TAG when set, and builds it when ECR does not hold that tag yet', () => {
    const { status, stdout } = imagePush(['--stack', 'petstore-prod'], {
      IMAGE_TAG: 'release-1',
      REPOSITORY_EXISTS: '1',
    });
    expect(status).toBe(0);
    expect(stdout).toBe(`${REPOSITORY_URL}:release-1\n`);
    expect(calls().map((call) => call.argv)).toContainEqual(describeImages('release-1'));
    expect(calls().map((call) => call.argv.slice(0, 2).join(' '))).toContain('docker push');
  });

  it('stops when ECR cannot be asked (e.g. expired credentials) rather than guess', () => {
    const { status, stdout, stderr } = imagePush(['--stack', 'petstore-prod'], {
      AWS_ERROR: 'ExpiredTokenException',
    });
    expect(status).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toMatch(
      /image:push: `aws ecr describe-repositories .*` failed \(exit 254\): An error occurred \(ExpiredTokenException\)/,
    );
    expect(calls().map((call) => call.argv[0])).toEqual(['aws']);
  });

  it('stops at the first failing command, saying which, and pushes nothing', () => {
    const { status, stdout, stderr } = imagePush(['--stack', 'petstore-prod'], { FAIL_DOCKER_BUILD: '1' });
    expect(status).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toMatch(/image:push: `docker build --platform linux\/amd64 .*` failed \(exit 1\)/);
    expect(calls().map((call) => call.argv.slice(0, 2).join(' '))).not.toContain('docker push');
  });

  it('refuses a dirty work tree before running anything', () => {
    writeFileSync(path.join(checkout, 'notes.txt'), 'wip\n');
    const { status, stdout, stderr } = imagePush(['--stack', 'petstore-prod']);
    expect(status).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toContain(
      'image:push: the work tree has uncommitted changes (?? notes.txt); an image tag must mean committed code. Commit them, or pass --allow-dirty',
    );
    expect(calls()).toEqual([]);
  });

  it('--dry-run prints the commands and runs none', () => {
    const sha = git('rev-parse', 'HEAD');
    const { status, stdout } = imagePush(['--stack', 'petstore-prod', '--dry-run']);
    expect(status).toBe(0);
    const lines = stdout.trimEnd().split('\n');
    expect(lines[0]).toBe('# npm run image:push -- --stack petstore-prod would run:');
    expect(lines.filter((line) => !line.startsWith('#')).map((line) => line.split(' ')[0])).toEqual([
      'aws',
      'terraform',
      'terraform',
      'terraform',
      'aws',
      'aws',
      'docker',
      'docker',
      `AWS_ACCOUNT_ID.dkr.ecr.us-east-1.amazonaws.com/petstore-prod/pet-service:${sha}`,
    ]);
    expect(calls()).toEqual([]);
  });

  it('--dry-run with --allow-dirty shows the dirty tag', () => {
    writeFileSync(path.join(checkout, 'notes.txt'), 'wip\n');
    const sha = git('rev-parse', 'HEAD');
    const { status, stdout } = imagePush(['--stack', 'petstore-prod', '--dry-run', '--allow-dirty']);
    expect(status).toBe(0);
    expect(stdout.trimEnd().split('\n').at(-1)).toMatch(
      new RegExp(
        `^AWS_ACCOUNT_ID\\.dkr\\.ecr\\.us-east-1\\.amazonaws\\.com/petstore-prod/pet-service:${sha}-dirty-\\d{8}T\\d{6}Z$`,
      ),
    );
  });

  it('refuses to apply to local state when TF_STATE_BUCKET says the deploys use S3', () => {
    const { status, stderr } = imagePush(['--stack', 'petstore-prod'], { TF_STATE_BUCKET: '' });
    expect(status).toBe(1);
    expect(stderr).toContain(
      `keeps state in S3 bucket ${STATE_BUCKET}, but TF_STATE_BUCKET is unset: run \`npm run synth\` with the settings you deploy with`,
    );
    expect(calls()).toEqual([]);
  });

  it('--dry-run of a stack not synthesized says to synthesize first', () => {
    const { status, stderr } = imagePush(['--stack', 'petstore-dev', '--dry-run']);
    expect(status).toBe(1);
    expect(stderr).toContain(
      'image:push: petstore-dev is not synthesized: run `npm run synth` first (a dry run runs nothing)',
    );
  });

  it.each([
    [[], 'image:push: --stack <name> is required: one of petstore-dev, petstore-prod'],
    [['--stack', 'dev'], "image:push: unknown stack 'dev': expected one of petstore-dev, petstore-prod"],
    [['--stack', 'petstore-prod', '--push'], "image:push: Unknown option '--push'"],
  ])('refuses %j', (args, message) => {
    const { status, stderr } = imagePush(args);
    expect(status).toBe(1);
    expect(stderr).toContain(message);
    expect(calls()).toEqual([]);
  });
});
