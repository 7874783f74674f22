import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import actionValidator from '@action-validator/core';
import { parse } from 'yaml';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const WORKFLOWS_DIR = path.join(ROOT, '.github/workflows');

/** The action a step uses, without the commit it is pinned to: `actions/checkout`. */
function actionOf(step: { uses?: string }): string | undefined {
  return step.uses?.split('@')[0];
}

interface Step {
  id?: string;
  name?: string;
  uses?: string;
  run?: string;
  if?: string;
  with?: Record<string, unknown>;
  env?: Record<string, unknown>;
  'continue-on-error'?: boolean;
}

interface Job {
  'runs-on'?: string;
  uses?: string;
  with?: Record<string, unknown>;
  needs?: string | string[];
  if?: string;
  environment?: string | { name: string };
  concurrency?: { group: string; 'cancel-in-progress'?: boolean };
  permissions?: Record<string, string>;
  'timeout-minutes'?: number;
  env?: Record<string, unknown>;
  steps?: Step[];
}

interface Workflow {
  name: string;
  on: string | string[] | Record<string, { inputs?: Record<string, unknown> } | null>;
  permissions?: Record<string, string>;
  jobs: Record<string, Job>;
}

const files = readdirSync(WORKFLOWS_DIR).filter((file) => /\.ya?ml$/.test(file));
const sources = Object.fromEntries(
  files.map((file) => [file, readFileSync(path.join(WORKFLOWS_DIR, file), 'utf8')]),
);
const workflows: Record<string, Workflow> = Object.fromEntries(
  files.map((file) => [file, parse(sources[file] ?? '')]),
);

/** Opens a GitHub Actions expression, `${{ … }}`. */
const EXPRESSION_START = '$' + '{{';

/** An expression as written in a workflow. */
function expr(inner: string): string {
  return `${EXPRESSION_START} ${inner} }}`;
}

function workflow(file: string): Workflow {
  const found = workflows[file];
  if (!found) throw new Error(`no workflow ${file}`);
  return found;
}

function triggers(wf: Workflow): string[] {
  if (typeof wf.on === 'string') return [wf.on];
  return Array.isArray(wf.on) ? wf.on : Object.keys(wf.on);
}

function allJobs(): [string, string, Job][] {
  return Object.entries(workflows).flatMap(([file, wf]) =>
    Object.entries(wf.jobs).map(([id, job]) => [file, id, job] as [string, string, Job]),
  );
}

function allSteps(): [string, string, Step][] {
  return allJobs().flatMap(([file, id, job]) =>
    (job.steps ?? []).map((step) => [file, id, step] as [string, string, Step]),
  );
}

function stepRunning(job: Job, text: string): Step {
  const step = job.steps?.find((s) => s.run?.includes(text));
  if (!step) throw new Error(`no step runs ${text}`);
  return step;
}

function localWorkflow(uses: string): string {
  return uses.replace(/^\.\/\.github\/workflows\//, '');
}

/** Jobs that get AWS credentials: directly, or through the reusable workflow they call. */
function configuresAws(job: Job): boolean {
  if (job.uses) return Object.values(workflow(localWorkflow(job.uses)).jobs).some(configuresAws);
  return (job.steps ?? []).some((step) => step.uses?.startsWith('aws-actions/configure-aws-credentials@'));
}

describe('workflow files', () => {
  it('exist: checks, pull-request plan, deploy and the per-environment deploy', () => {
    expect(files.sort()).toEqual(['checks.yml', 'deploy-environment.yml', 'deploy.yml', 'pr-plan.yml']);
  });

  it.each(files)('%s is valid GitHub Actions workflow syntax', (file) => {
    const { errors } = actionValidator.validateWorkflow(sources[file] ?? '');
    expect(errors).toEqual([]);
  });

  it('are checked by a validator that does reject invalid workflows', () => {
    const invalid =
      'on: push\npermissions:\n  id-token: writ\njobs:\n  plan:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo\n        withh: 1\n';
    expect(actionValidator.validateWorkflow(invalid).errors.length).toBeGreaterThan(0);
  });
});

describe('security rules', () => {
  it('never trigger on pull_request_target', () => {
    for (const wf of Object.values(workflows)) expect(triggers(wf)).not.toContain('pull_request_target');
  });

  it('grant only contents: read at the top level; jobs ask for more themselves', () => {
    for (const wf of Object.values(workflows)) expect(wf.permissions).toEqual({ contents: 'read' });
  });

  it('give id-token: write exactly to the jobs that assume an AWS role', () => {
    for (const [file, id, job] of allJobs()) {
      expect(job.permissions?.['id-token'] === 'write', `${file} ${id}`).toBe(configuresAws(job));
    }
  });

  it('get AWS credentials only from OIDC roles, never from stored keys', () => {
    const awsSteps = allSteps().filter(([, , step]) =>
      step.uses?.startsWith('aws-actions/configure-aws-credentials@'),
    );
    expect(awsSteps.map(([file]) => file).sort()).toEqual(['deploy-environment.yml', 'pr-plan.yml']);
    for (const [, , step] of awsSteps) {
      expect(Object.keys(step.with ?? {}).sort()).toEqual([
        'aws-region',
        'role-session-name',
        'role-to-assume',
      ]);
    }
    for (const source of Object.values(sources))
      expect(source).not.toMatch(/secrets\.AWS|aws-access-key-id|aws-secret-access-key/i);
  });

  it('plan with the read-only plan role and deploy with the environment-scoped deploy role', () => {
    const role = (file: string) =>
      allSteps().find(
        ([f, , step]) => f === file && step.uses?.startsWith('aws-actions/configure-aws-credentials@'),
      )?.[2].with?.['role-to-assume'];
    expect(role('pr-plan.yml')).toBe(expr('vars.AWS_PLAN_ROLE_ARN'));
    expect(role('deploy-environment.yml')).toBe(expr('vars.AWS_DEPLOY_ROLE_ARN'));
  });

  it('put no expression inside a run script, so no value can be injected as shell code', () => {
    for (const [file, id, step] of allSteps()) {
      if (step.run)
        expect(step.run, `${file} ${id} ${step.name ?? step.run}`).not.toContain(EXPRESSION_START);
    }
  });

  it('pin every action to a full commit SHA, with its tag in a comment, and use the agreed toolchain', () => {
    const actions = allSteps().flatMap(([, , step]) => (step.uses ? [step.uses] : []));
    expect(actions.length).toBeGreaterThan(10);
    for (const uses of actions) expect(uses).toMatch(/^[\w-]+\/[\w-]+@[0-9a-f]{40}$/);
    // The tag each SHA was taken from, for the reader and for Dependabot.
    for (const file of readdirSync(WORKFLOWS_DIR)) {
      const text = readFileSync(path.join(WORKFLOWS_DIR, file), 'utf8');
      for (const line of text.split('\n').filter((each) => /uses: [\w-]+\/[\w-]+@/.test(each))) {
        expect(line).toMatch(/@[0-9a-f]{40} # v\d+\.\d+\.\d+$/);
      }
    }
    for (const [, , step] of allSteps()) {
      if (actionOf(step) === 'actions/setup-node')
        expect(step.with).toEqual({ 'node-version': 26, cache: 'npm' });
      if (actionOf(step) === 'hashicorp/setup-terraform') {
        expect(step.with).toEqual({ terraform_version: '1.11.4', terraform_wrapper: false });
      }
    }
  });
});

describe('checks', () => {
  it('install, lint, typecheck, test, synth, validate and build, in that order, on pull requests and on main', () => {
    const { jobs } = workflow('checks.yml');
    expect(triggers(workflow('checks.yml'))).toEqual(['workflow_call']);
    const runs = (jobs.checks?.steps ?? []).flatMap((step) => (step.run && !step.name ? [step.run] : []));
    expect(runs).toEqual([
      'npm ci',
      'npm audit --audit-level=high',
      'npm run lint',
      'npm run typecheck',
      'npm test',
      'npm run synth',
      'npm run validate -- --skip-synth',
      'npm run build',
      'npm run check:cdktn',
      'npm run rehearse',
      'npm run local:smoke -- --skip-synth --skip-build',
    ]);
    expect(workflow('pr-plan.yml').jobs.checks?.uses).toBe('./.github/workflows/checks.yml');
    expect(workflow('deploy.yml').jobs.checks?.uses).toBe('./.github/workflows/checks.yml');
  });
});

describe('supply chain', () => {
  it('Dependabot keeps npm, the workflow actions and the image base up to date', () => {
    const config = parse(readFileSync(path.join(ROOT, '.github/dependabot.yml'), 'utf8')) as {
      version: number;
      updates: { 'package-ecosystem': string; directory: string }[];
    };
    expect(config.version).toBe(2);
    expect(config.updates.map((update) => [update['package-ecosystem'], update.directory])).toEqual([
      ['npm', '/'],
      ['github-actions', '/'],
      ['docker', '/app'],
    ]);
  });

  it('npm runs only the install scripts package.json names, and refuses any other', () => {
    const { allowScripts } = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
      allowScripts: Record<string, boolean>;
    };
    // The node devDependency links its binary in its preinstall; the others have prebuilt binaries.
    expect(allowScripts).toEqual({ node: true, esbuild: false, 'classic-level': false });
  });
});

describe('deploy plan loop', () => {
  it("leaves a failed plan's error in error.txt, so the deploy comment carries it", () => {
    const runs = Object.values(workflow('deploy-environment.yml').jobs).flatMap((job) =>
      (job.steps ?? []).flatMap((step) => (step.run ? [step.run] : [])),
    );
    const loop = runs.find((run) => run.includes('plan:guard')) ?? '';
    expect(loop).toContain('mv "$out/stderr.log" "$out/error.txt"');
    expect(loop.indexOf('error.txt')).toBeLessThan(loop.indexOf('show -json tfplan'));
  });
});

describe('rehearsal', () => {
  const rehearse = workflow('checks.yml').jobs.checks as Job;
  const steps = rehearse.steps ?? [];
  const runs = steps.flatMap((step) => (step.run ? [step.run] : []));

  it('installs the emulator and the provider mirror before npm ci', () => {
    const install = runs.findIndex((run) => run.includes('pip install'));
    expect(install).toBeGreaterThanOrEqual(0);
    expect(install).toBeLessThan(runs.indexOf('npm ci'));
  });

  it('pins moto, Terraform and the provider mirror to the versions the rehearsal is written for', () => {
    const install = runs.find((run) => run.includes('pip install')) ?? '';
    expect(install).toContain("pip install 'moto[server]==5.2.1'");
    expect(install).toContain('"version":"5.100.0"');
    expect(install).toContain('providers mirror');
    expect(install).toContain('TF_PROVIDER_MIRROR=');
    const terraform = steps.find((step) => step.uses?.startsWith('hashicorp/setup-terraform@'));
    expect(terraform?.with).toMatchObject({ terraform_version: '1.11.4' });
  });

  it('gets no AWS credentials: the emulator needs none', () => {
    expect(configuresAws(rehearse)).toBe(false);
  });
});

describe('pull request plan', () => {
  const wf = workflow('pr-plan.yml');
  const plan = wf.jobs.plan as Job;

  it('runs on pull requests to main, after the checks, for branches of this repository only', () => {
    expect(wf.on).toEqual({ pull_request: { branches: ['main'] } });
    expect(plan.needs).toBe('checks');
    expect(plan.if).toBe('github.event.pull_request.head.repo.full_name == github.repository');
    expect(plan.permissions).toEqual({ contents: 'read', 'id-token': 'write', 'pull-requests': 'write' });
  });

  it('plans every stack in manifest dependency order, without the lock, and keeps the plan JSON', () => {
    const script = stepRunning(plan, 'terraform').run ?? '';
    expect(script).toContain('npm run --silent plan:stacks -- --with-dirs > "$RUNNER_TEMP/stacks.tsv"');
    expect(script).toContain('done 3<"$RUNNER_TEMP/stacks.tsv"');
    expect(script).toMatch(/terraform -chdir="\$dir" plan -input=false -lock=false -no-color -out=tfplan/);
    expect(script).toContain('terraform -chdir="$dir" show -json tfplan >"$out/plan.json"');
    expect(script).toContain('terraform -chdir="$dir" show -no-color tfplan >"$out/plan.txt"');
  });

  it('exports, uploads and comments even when a stack failed to plan, and a comment failure does not fail the job', () => {
    const steps = plan.steps ?? [];
    const after = steps.slice(steps.findIndex((step) => step.id === 'plan') + 1);
    expect(after.map((step) => step.run?.split(' ').slice(0, 3).join(' ') ?? actionOf(step))).toEqual([
      'npm run plan:export',
      'actions/upload-artifact',
      'npm run plan:comment',
    ]);
    for (const step of after) expect(step.if).toBe(expr("!cancelled() && steps.plan.outcome != 'skipped'"));
    const comment = stepRunning(plan, 'plan:comment');
    expect(comment['continue-on-error']).toBe(true);
    expect(comment.run).toContain('--marker terraform-plan');
    expect(comment.run).toContain('--pr "$PR_NUMBER"');
    expect(plan.env?.PR_NUMBER).toBe(expr('github.event.pull_request.number'));
  });

  it('never uploads the plan JSON or the binary plan, which hold secrets in clear text', () => {
    const upload = plan.steps?.find((step) => actionOf(step) === 'actions/upload-artifact');
    expect(upload?.with).toMatchObject({ name: 'plan-review', path: `${expr('runner.temp')}/plan-review/` });
    expect(stepRunning(plan, 'plan:export').run).toContain('--out "$RUNNER_TEMP/plan-review"');
  });
});

describe('deploy', () => {
  const wf = workflow('deploy.yml');
  const deploy = workflow('deploy-environment.yml').jobs.deploy as Job;

  it('runs on pushes to main (and by hand), checks first, then dev, then prod', () => {
    expect(wf.on).toMatchObject({ push: { branches: ['main'] } });
    expect(Object.keys(wf.on as object).sort()).toEqual(['push', 'workflow_dispatch']);
    expect(wf.jobs.checks?.if).toBe("github.ref == 'refs/heads/main'");
    expect(wf.jobs.dev).toMatchObject({
      needs: 'checks',
      uses: './.github/workflows/deploy-environment.yml',
    });
    expect(wf.jobs.prod).toMatchObject({ needs: 'dev', uses: './.github/workflows/deploy-environment.yml' });
    expect(wf.jobs.dev?.with?.environment).toBe('dev');
    expect(wf.jobs.prod?.with?.environment).toBe('prod');
  });

  it('passes only inputs the environment workflow declares', () => {
    const declared = Object.keys(
      (workflow('deploy-environment.yml').on as Record<string, { inputs?: object }>).workflow_call?.inputs ??
        {},
    );
    for (const job of [wf.jobs.dev, wf.jobs.prod])
      expect(declared).toEqual(expect.arrayContaining(Object.keys(job?.with ?? {})));
  });

  it('deploys through a GitHub environment, one run per environment at a time', () => {
    expect(deploy.environment).toBe(expr('inputs.environment'));
    expect(deploy.concurrency).toEqual({
      group: `deploy-${expr('inputs.environment')}`,
      'cancel-in-progress': false,
    });
    expect(deploy.env?.STACK).toBe(`petstore-${expr('inputs.environment')}`);
    for (const [file, id, job] of allJobs()) {
      const deploys = (job.steps ?? []).some((step) => /terraform .*apply|image:push/.test(step.run ?? ''));
      if (deploys) expect(job.environment, `${file} ${id}`).toBeDefined();
    }
  });

  it('pushes the commit’s image and synthesizes with that tag', () => {
    expect(deploy.env?.IMAGE_TAG).toBe(expr('github.sha'));
    const runs = (deploy.steps ?? []).map((step) => step.run ?? '');
    const push = runs.indexOf('npm run image:push -- --stack "$STACK"');
    expect(push).toBeGreaterThan(runs.indexOf('npm run build'));
    expect(runs.indexOf('npm run synth')).toBeGreaterThan(push);
  });

  it('guards each stack’s saved plan against the reviewed plan before applying exactly that plan', () => {
    const script = stepRunning(deploy, 'terraform').run ?? '';
    expect(script).toContain(
      'npm run --silent plan:stacks -- --target "$STACK" --with-dirs > "$RUNNER_TEMP/stacks.tsv"',
    );
    const order = [
      'plan -input=false -no-color -lock-timeout=10m -out=tfplan',
      'show -json tfplan >"$out/plan.json"',
      'npm run --silent plan:guard -- --stack "$stack" --plan "$out/plan.json"',
      'apply -input=false -no-color -lock-timeout=10m tfplan',
    ].map((text) => script.indexOf(text));
    expect(order.every((index) => index >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    for (const [file, id, step] of allSteps()) {
      expect(step.run ?? '', `${file} ${id}`).not.toMatch(/cdktf deploy|npm run deploy|-auto-approve/);
    }
  });

  it('finds the reviewed plan in the artifact the pull-request plan workflow uploads', () => {
    const find = stepRunning(deploy, 'plan:find-review').run ?? '';
    const [, workflowFile, artifact] = /--workflow (\S+) --artifact (\S+)/.exec(find) ?? [];
    expect(existsSync(path.join(WORKFLOWS_DIR, workflowFile ?? ''))).toBe(true);
    const uploaded = workflow(workflowFile ?? '').jobs.plan?.steps?.find(
      (s) => actionOf(s) === 'actions/upload-artifact',
    );
    expect(uploaded?.with?.name).toBe(artifact);
    const download = deploy.steps?.find((step) => actionOf(step) === 'actions/download-artifact');
    expect(download?.with).toMatchObject({
      name: artifact,
      'run-id': expr('steps.review.outputs.plan_run_id'),
    });
    // Outside the checkout, because image:push refuses a dirty work tree.
    expect(download?.with?.path).toBe(`${expr('runner.temp')}/reviewed-plan`);
    expect(stepRunning(deploy, 'plan:guard').run).toContain(
      '--review "$RUNNER_TEMP/reviewed-plan/review.json"',
    );
  });

  it('reports the result on the merged pull request without failing a deploy over it', () => {
    const report = stepRunning(deploy, 'plan:comment');
    expect(report.if).toBe(expr("always() && steps.review.outputs.pr_number != ''"));
    expect(report['continue-on-error']).toBe(true);
    expect(report.run).toContain('--marker "deploy-$ENVIRONMENT"');
  });
});

describe('npm scripts', () => {
  it('that the workflows run all exist in package.json', () => {
    const { scripts } = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
      scripts: Record<string, string>;
    };
    // Added by the owner of the image tooling; the workflows rely on its documented contract.
    const providedByImageTooling = new Set(['image:push']);
    const used = new Set(
      allSteps().flatMap(([, , step]) =>
        [...(step.run ?? '').matchAll(/npm run (?:--silent )?([\w:-]+)/g)].map((m) => m[1] ?? ''),
      ),
    );
    expect([...used].filter((name) => !(name in scripts) && !providedByImageTooling.has(name))).toEqual([]);
    expect(used).toContain('image:push');
  });
});

describe('jobs', () => {
  it('all have a timeout', () => {
    for (const [file, id, job] of allJobs()) {
      if (job['runs-on']) expect(job['timeout-minutes'], `${file} ${id}`).toBeGreaterThan(0);
    }
  });
});
