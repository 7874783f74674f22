/**
 * Renders the plan review comment from the per-stack files of the plans dir (see plans-dir.ts),
 * writes it to --out and the job summary, and, with --pr, creates or updates the pull request
 * comment that starts with the marker. Posting problems are reported as warnings, never as a failure.
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import {
  annotate,
  appendStepSummary,
  commitUrlFromEnv,
  DEFAULT_MANIFEST,
  githubApiFromEnv,
  operatorMistake,
  runUrlFromEnv,
  stacksToReport,
} from '../cli-support';
import { loadStackReports } from '../plans-dir';
import { publishComment } from '../publish';
import { commentMarker, renderComment } from '../render-comment';

const { values } = parseArgs({
  options: {
    manifest: { type: 'string', default: DEFAULT_MANIFEST },
    target: { type: 'string' },
    'plans-dir': { type: 'string', default: 'plans' },
    marker: { type: 'string' },
    title: { type: 'string', default: 'Terraform plan' },
    outcome: { type: 'string' },
    applied: { type: 'boolean', default: false },
    commit: { type: 'string' },
    pr: { type: 'string' },
    'artifact-name': { type: 'string' },
    'artifact-url': { type: 'string' },
    out: { type: 'string', default: 'plan-comment.md' },
  },
});
if (!values.marker || !values.commit)
  operatorMistake('plan:comment', '--marker <id> and --commit <sha> are required');

const marker = commentMarker(values.marker);
const stacks = stacksToReport(values.manifest, values.target);
const body = renderComment({
  marker,
  title: values.title,
  ...(values.outcome ? { outcome: values.outcome } : {}),
  applied: values.applied,
  commit: { sha: values.commit, url: commitUrlFromEnv(values.commit) },
  runUrl: runUrlFromEnv(),
  stacks: loadStackReports(values['plans-dir'], stacks),
  ...(values['artifact-name']
    ? { fullPlans: { artifactName: values['artifact-name'], url: values['artifact-url'] || undefined } }
    : {}),
});
writeFileSync(values.out, body);
await appendStepSummary(body);
console.log(`wrote ${values.out} (${body.length} characters)`);

if (values.pr) {
  if (!/^\d+$/.test(values.pr))
    operatorMistake('plan:comment', `--pr must be a pull request number, got "${values.pr}"`);
  const api = githubApiFromEnv();
  if (!api) {
    annotate(
      'warning',
      'Plan comment not posted: GITHUB_TOKEN or GITHUB_REPOSITORY (owner/name) is not set.',
    );
  } else {
    const result = await publishComment(api, Number(values.pr), marker, body);
    if (result.ok) console.log(`${result.action} ${result.url}`);
    else annotate('warning', `Plan comment not posted: ${result.error}`);
  }
}
