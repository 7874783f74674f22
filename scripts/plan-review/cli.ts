/**
 * The plan review's commands, as the workflows run them (`npm run plan:<command> -- …`): `stacks` (in
 * dependency order, for the plan and apply loops), `export` (the artifact: masked plan texts, errors and
 * review.json; never plan.json, which holds secrets in clear), `comment` (to a file, the job summary and the
 * pull request), `guard` (between plan and apply) and `find-review` (the reviewed plan of a commit on main).
 * Reporting never fails a job; an operator's mistake is one line and exit 2.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { type ParseArgsConfig, parseArgs } from 'node:util';
import * as core from '@actions/core';
import { readManifest } from '../lib/cdktf-manifest';
import { classifyPlan } from './classify';
import * as github from './github';
import * as guard from './guard';
import { stacksInDependencyOrder } from './manifest';
import { maskPlan } from './mask';
import { commentMarker, renderComment } from './render-comment';
import { loadStackReports } from './stack-report';

const [command = '', ...args] = process.argv.slice(2);
const text = { type: 'string' } as const;
const flag = { type: 'boolean', default: false } as const;
const STACKS = {
  manifest: { type: 'string', default: 'cdktf.out/manifest.json' },
  target: text,
  'plans-dir': { type: 'string', default: 'plans' },
} as const;

function options<T extends NonNullable<ParseArgsConfig['options']>>(config: T) {
  return parseArgs({ args, options: config }).values;
}

function mistake(message: string): never {
  console.error(`plan:${command}: ${message}`);
  process.exit(2);
}

function reportsOf(values: { manifest: string; target?: string; 'plans-dir': string }) {
  const { manifest, target } = values;
  // Without a manifest (synth failed) the target is still reported, as not planned.
  if (!existsSync(manifest)) return loadStackReports(values['plans-dir'], target ? [target] : []);
  return loadStackReports(values['plans-dir'], stacksInDependencyOrder(readManifest(manifest), target));
}

async function appendStepSummary(markdown: string): Promise<void> {
  if (process.env.GITHUB_STEP_SUMMARY) await core.summary.addRaw(markdown, true).write();
}

const COMMANDS: Record<string, () => void | Promise<void>> = {
  stacks() {
    const values = options({ ...STACKS, 'with-dirs': flag });
    const manifest = readManifest(values.manifest);
    const cdktfOut = path.dirname(values.manifest);
    for (const stack of stacksInDependencyOrder(manifest, values.target)) {
      const directory = path.join(cdktfOut, manifest.stacks[stack]?.workingDirectory ?? '');
      console.log(values['with-dirs'] ? `${stack}\t${directory}` : stack);
    }
  },

  export() {
    const values = options({ ...STACKS, commit: text, out: { type: 'string', default: 'plan-review' } });
    if (!values.commit) mistake('--commit <sha of the planned commit> is required');
    const reports = reportsOf(values);
    mkdirSync(values.out, { recursive: true });
    const write = (file: string, text: string) => writeFileSync(path.join(values.out, file), text);
    for (const report of reports) {
      if (report.status === 'planned') write(`${report.stack}.plan.txt`, report.planText);
      if (report.status === 'failed') write(`${report.stack}.error.txt`, report.error);
    }
    write('review.json', `${JSON.stringify(guard.buildReviewRecord(values.commit, reports), null, 2)}\n`);
    console.log(`wrote ${values.out}/ for ${reports.length} stacks`);
  },

  async comment() {
    const values = options({
      ...STACKS,
      marker: text,
      title: { type: 'string', default: 'Terraform plan' },
      outcome: text,
      applied: flag,
      commit: text,
      pr: text,
      'artifact-name': text,
      'artifact-url': text,
      out: { type: 'string', default: 'plan-comment.md' },
    });
    if (!values.marker || !values.commit) mistake('--marker <id> and --commit <sha> are required');
    if (values.pr !== undefined && !/^\d+$/.test(values.pr))
      mistake(`--pr must be a pull request number, got "${values.pr}"`);
    const { GITHUB_SERVER_URL, GITHUB_REPOSITORY, GITHUB_RUN_ID, GITHUB_RUN_ATTEMPT } = process.env;
    const repositoryUrl =
      GITHUB_SERVER_URL && GITHUB_REPOSITORY && `${GITHUB_SERVER_URL}/${GITHUB_REPOSITORY}`;
    const attempt = GITHUB_RUN_ATTEMPT && GITHUB_RUN_ATTEMPT !== '1' ? `/attempts/${GITHUB_RUN_ATTEMPT}` : '';
    const marker = commentMarker(values.marker);
    const artifact = values['artifact-name'];
    const body = renderComment({
      marker,
      title: values.title,
      outcome: values.outcome,
      applied: values.applied,
      commit: { sha: values.commit, url: repositoryUrl && `${repositoryUrl}/commit/${values.commit}` },
      runUrl: repositoryUrl && GITHUB_RUN_ID && `${repositoryUrl}/actions/runs/${GITHUB_RUN_ID}${attempt}`,
      stacks: reportsOf(values),
      fullPlans: artifact ? { artifactName: artifact, url: values['artifact-url'] || undefined } : undefined,
    });
    writeFileSync(values.out, body);
    await appendStepSummary(body);
    console.log(`wrote ${values.out} (${body.length} characters)`);
    if (values.pr === undefined) return;
    const api = github.fromEnv();
    if (!api)
      return core.warning(
        'Plan comment not posted: GITHUB_TOKEN or GITHUB_REPOSITORY (owner/name) is not set.',
      );
    try {
      console.log(await github.upsertComment(api, Number(values.pr), marker, body));
    } catch (error) {
      // Token without rights, an API outage, a fork's pull request: never a reason to fail the plan or deploy.
      core.warning(`Plan comment not posted: ${github.describeError(error)}`);
    }
  },

  async guard() {
    const values = options({
      stack: text,
      plan: text,
      review: text,
      'expected-commit': text,
      'accept-unreviewed': flag,
      out: text,
    });
    const { stack, plan, review } = values;
    if (!stack || !plan) mistake('--stack <name> and --plan <terraform show -json file> are required');
    const verdict = guard.checkAgainstReview({
      stack,
      // Masked like every plan the review reads, though only addresses come out of here.
      summary: classifyPlan(maskPlan(readFileSync(plan, 'utf8'), '')),
      ...(review && existsSync(review) && { review: guard.parseReviewRecord(readFileSync(review, 'utf8')) }),
      ...(values['expected-commit'] && { expectedCommit: values['expected-commit'] }),
      acceptUnreviewed: values['accept-unreviewed'],
    });
    if (values.out) writeFileSync(values.out, `${JSON.stringify(verdict, null, 2)}\n`);
    const against = verdict.reviewedCommit
      ? `reviewed plan of ${verdict.reviewedCommit}`
      : `no reviewed plan: ${verdict.reviewMissing}`;
    if (verdict.unreviewed.length === 0) {
      console.log(`${stack}: no unreviewed deletions or replacements (${against}).`);
      return;
    }
    const list = verdict.unreviewed.map((change) => `- ${guard.describeDestructiveKey(change)}`).join('\n');
    const message = `${stack}: ${verdict.unreviewed.length} deletion(s)/replacement(s) not in the reviewed plan (${against}):\n${list}`;
    await appendStepSummary(`### Deploy guard\n\n${message}\n`);
    if (guard.allowsApply(verdict))
      return core.warning(`${message}\nApplying anyway: accept_unreviewed_destruction was set.`);
    const rerun =
      'If these are intended, re-run the Deploy workflow by hand with accept_unreviewed_destruction.';
    core.error(`${message}\nNot applied. ${rerun}`);
    process.exitCode = 1;
  },

  async 'find-review'() {
    const { sha, workflow, artifact } = options({ sha: text, workflow: text, artifact: text });
    if (!sha || !workflow || !artifact)
      mistake('--sha <commit>, --workflow <file name> and --artifact <name> are required');
    const api = github.fromEnv() ?? mistake('GITHUB_TOKEN or GITHUB_REPOSITORY (owner/name) is not set');
    let found: github.ReviewedPlan = {};
    try {
      found = await github.findReviewedPlan(api, sha, workflow, artifact);
      if (found.pull === undefined)
        core.notice(`No merged pull request produced ${sha}; there is no reviewed plan.`);
      else if (found.runId === undefined)
        core.warning(`PR #${found.pull}: no ${workflow} run for ${found.headSha} with artifact ${artifact}.`);
    } catch (error) {
      core.warning(`Could not look up the reviewed plan: ${github.describeError(error)}`);
    }
    // @actions/core writes each value between generated delimiters, so no value can forge another.
    core.setOutput('pr_number', found.pull ?? '');
    core.setOutput('head_sha', found.headSha ?? '');
    core.setOutput('plan_run_id', found.runId ?? '');
  },
};

const run =
  COMMANDS[command] ?? mistake(`no such command; the commands are ${Object.keys(COMMANDS).join(', ')}`);
await run();
