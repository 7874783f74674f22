import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import actionValidator from '@action-validator/core';
import { parse } from 'yaml';
import {
  actionOf,
  allJobs,
  allSteps,
  configuresAws,
  EXPRESSION_START,
  expr,
  files,
  type Job,
  ROOT,
  sources,
  stepRunning,
  triggers,
  WORKFLOWS_DIR,
  workflow,
  workflows,
} from './workflow-files';

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
      'npm run local:smoke -- --skip-build',
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
