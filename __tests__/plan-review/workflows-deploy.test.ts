// The deploy workflow, the npm scripts the workflows call, and the jobs' limits.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import {
  actionOf,
  allJobs,
  allSteps,
  expr,
  type Job,
  ROOT,
  stepRunning,
  WORKFLOWS_DIR,
  workflow,
} from './workflow-files';

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

  it('synthesizes with the commit’s tag, pushes that image, then plans (which reads the tag from the registry)', () => {
    expect(deploy.env?.IMAGE_TAG).toBe(expr('github.sha'));
    const runs = (deploy.steps ?? []).map((step) => step.run ?? '');
    const push = runs.indexOf('npm run image:push -- "$ENVIRONMENT"');
    expect(push).toBeGreaterThan(runs.indexOf('npm run synth'));
    expect(runs.findIndex((run) => run.includes('plan:guard'))).toBeGreaterThan(push);
  });

  it('plans a pull request before its image is pushed, and only there', () => {
    expect(workflow('pr-plan.yml').jobs.plan?.env?.TF_VAR_require_pushed_image).toBe(false);
    expect(deploy.env).not.toHaveProperty('TF_VAR_require_pushed_image');
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
    const used = new Set(
      allSteps().flatMap(([, , step]) =>
        [...(step.run ?? '').matchAll(/npm run (?:--silent )?([\w:-]+)/g)].map((m) => m[1] ?? ''),
      ),
    );
    expect([...used].filter((name) => !(name in scripts))).toEqual([]);
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
