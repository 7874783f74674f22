/** The few GitHub REST calls plan review needs, through Octokit (requests, pagination, errors). */
import { RequestError } from '@octokit/request-error';
import { Octokit } from '@octokit/rest';

/** One repository's API: the client and the owner/name every call is scoped to. */
export interface GitHubApi {
  octokit: Octokit;
  owner: string;
  repo: string;
}

/** The API as a workflow step sees it (GITHUB_API_URL: also GitHub Enterprise); undefined without token or owner/name. */
export function fromEnv(env: NodeJS.ProcessEnv = process.env): GitHubApi | undefined {
  const [, owner, repo] = /^([^/]+)\/([^/]+)$/.exec(env.GITHUB_REPOSITORY ?? '') ?? [];
  if (!env.GITHUB_TOKEN || !owner || !repo) return undefined;
  const octokit = new Octokit({
    auth: env.GITHUB_TOKEN,
    baseUrl: env.GITHUB_API_URL ?? 'https://api.github.com',
    userAgent: 'petstore-plan-review',
    // Callers report each failed call once, with describeError; Octokit would log it again.
    log: { debug: () => {}, info: () => {}, warn: console.warn, error: () => {} },
  });
  return { octokit, owner, repo };
}

/**
 * One line for a failed call: the request, then the status and GitHub's message, or what stopped the
 * request from reaching GitHub at all (Octokit reports that as status 500 with no response).
 */
export function describeError(error: unknown): string {
  if (!(error instanceof RequestError)) return error instanceof Error ? error.message : String(error);
  const request = `${error.request.method} ${error.request.url}`;
  return error.response
    ? `${request}: HTTP ${error.status} ${error.message.slice(0, 300)}`
    : `${request}: GitHub could not be reached (${error.message})`;
}

/**
 * Creates the pull request's comment that starts with `marker`, or updates it in place; a reply quoting
 * it does not start with the marker. Returns what it did and the comment's URL.
 */
export async function upsertComment(
  { octokit, owner, repo }: GitHubApi,
  issueNumber: number,
  marker: string,
  body: string,
): Promise<string> {
  if (!body.startsWith(marker)) throw new Error('comment body must start with its marker');
  const issue = { owner, repo, issue_number: issueNumber };
  for await (const { data } of octokit.paginate.iterator(octokit.rest.issues.listComments, {
    ...issue,
    per_page: 100,
  })) {
    const existing = data.find((comment) => comment.body?.startsWith(marker));
    if (existing) {
      const updated = await octokit.rest.issues.updateComment({ owner, repo, comment_id: existing.id, body });
      return `updated ${updated.data.html_url}`;
    }
  }
  const created = await octokit.rest.issues.createComment({ ...issue, body });
  return `created ${created.data.html_url}`;
}

export type ReviewedPlan = { pull?: number; headSha?: string; runId?: number };

/**
 * The reviewed plan of `sha`, a commit on main: the pull request whose merge produced it (merge, squash
 * or rebase), its head, and the newest completed `pull_request` run of `workflowFile` for that head that
 * still has the named artifact. A run whose plan failed for some stacks still counts: its record lists
 * the stacks it planned.
 */
export async function findReviewedPlan(
  { octokit, ...repository }: GitHubApi,
  sha: string,
  workflowFile: string,
  artifactName: string,
): Promise<ReviewedPlan> {
  const pulls = await octokit.paginate(octokit.rest.repos.listPullRequestsAssociatedWithCommit, {
    ...repository,
    commit_sha: sha,
    per_page: 100,
  });
  const merged = pulls.find((pull) => pull.merged_at && pull.merge_commit_sha === sha);
  if (!merged) return {};
  const found = { pull: merged.number, headSha: merged.head.sha };
  // Newest first, as GitHub lists them; the 20 newest runs of one commit are plenty.
  const { data: runs } = await octokit.rest.actions.listWorkflowRuns({
    ...repository,
    workflow_id: workflowFile,
    event: 'pull_request',
    status: 'completed',
    head_sha: found.headSha,
    per_page: 20,
  });
  for (const run of runs.workflow_runs.filter((candidate) => candidate.head_sha === found.headSha)) {
    const { data } = await octokit.rest.actions.listWorkflowRunArtifacts({
      ...repository,
      run_id: run.id,
      name: artifactName,
    });
    if (data.artifacts.some((a) => a.name === artifactName && !a.expired)) return { ...found, runId: run.id };
  }
  return found;
}
