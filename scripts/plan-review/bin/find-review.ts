/**
 * Finds the reviewed plan for a commit on main: the merged pull request that produced it, and the
 * newest run of the pull-request plan workflow for that PR's head commit that still has the review
 * artifact. Sets step outputs pr_number, head_sha and plan_run_id, empty when not found. Never
 * fails: without a reviewed plan the guard refuses every deletion and replacement, which is the
 * safe outcome.
 */
import { parseArgs } from 'node:util';
import { annotate, githubApiFromEnv, operatorMistake, setStepOutputs } from '../cli-support';
import { describeGitHubError, findMergedPullRequest, findPlanRunWithArtifact } from '../github';

const { values } = parseArgs({
  options: {
    sha: { type: 'string' },
    workflow: { type: 'string' },
    artifact: { type: 'string' },
  },
});
if (!values.sha || !values.workflow || !values.artifact) {
  operatorMistake(
    'plan:find-review',
    '--sha <commit>, --workflow <file name> and --artifact <name> are required',
  );
}

const outputs = { pr_number: '', head_sha: '', plan_run_id: '' };
const api = githubApiFromEnv();
try {
  if (!api) operatorMistake('plan:find-review', 'GITHUB_TOKEN or GITHUB_REPOSITORY (owner/name) is not set');
  const pull = await findMergedPullRequest(api, values.sha);
  if (!pull) {
    annotate('notice', `No merged pull request produced ${values.sha}; there is no reviewed plan.`);
  } else {
    outputs.pr_number = String(pull.number);
    outputs.head_sha = pull.headSha;
    const runId = await findPlanRunWithArtifact(api, values.workflow, pull.headSha, values.artifact);
    if (runId === undefined) {
      annotate(
        'warning',
        `PR #${pull.number}: no ${values.workflow} run for ${pull.headSha} with artifact ${values.artifact}.`,
      );
    } else {
      outputs.plan_run_id = String(runId);
    }
  }
} catch (error) {
  annotate('warning', `Could not look up the reviewed plan: ${describeGitHubError(error)}`);
}
setStepOutputs(outputs);
