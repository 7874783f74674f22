/** The few GitHub REST calls plan review needs, through Octokit (requests, pagination, errors). */
import { RequestError } from '@octokit/request-error';
import { Octokit } from '@octokit/rest';

export interface GitHubConnection {
  /** e.g. https://api.github.com (GITHUB_API_URL on runners, also right for GitHub Enterprise). */
  apiUrl: string;
  token: string;
  /** owner/name */
  repository: string;
}

/** One repository's API: the client and the owner/name every call is scoped to. */
export interface GitHubApi {
  octokit: Octokit;
  owner: string;
  repo: string;
}

/** `owner/name` → its two parts; undefined for anything else. */
export function parseRepository(repository: string): { owner: string; repo: string } | undefined {
  const [, owner, repo] = /^([^/]+)\/([^/]+)$/.exec(repository) ?? [];
  return owner && repo ? { owner, repo } : undefined;
}

export function connectGitHub({ apiUrl, token, repository }: GitHubConnection): GitHubApi {
  const parsed = parseRepository(repository);
  if (!parsed) throw new Error(`GITHUB_REPOSITORY must be owner/name, got "${repository}"`);
  const { owner, repo } = parsed;
  return {
    octokit: new Octokit({
      auth: token,
      baseUrl: apiUrl,
      userAgent: 'petstore-plan-review',
      // Callers report each failed call once, with describeGitHubError; Octokit would log it again.
      log: { debug: () => {}, info: () => {}, warn: console.warn, error: () => {} },
    }),
    owner,
    repo,
  };
}

/**
 * One line for a failed call: the request, then the status and GitHub's message, or what stopped the
 * request from reaching GitHub at all (Octokit reports that as status 500 with no response).
 */
export function describeGitHubError(error: unknown): string {
  if (!(error instanceof RequestError)) return error instanceof Error ? error.message : String(error);
  const request = `${error.request.method} ${error.request.url}`;
  return error.response
    ? `${request}: HTTP ${error.status} ${error.message.slice(0, 300)}`
    : `${request}: GitHub could not be reached (${error.message})`;
}

export interface IssueComment {
  id: number;
  body?: string;
  html_url: string;
}

/**
 * Creates the pull request's comment that starts with `marker`, or updates it in place if it exists.
 * Only a body that starts with the marker counts, so a reply quoting the comment is never taken for it.
 */
export async function upsertIssueComment(
  { octokit, owner, repo }: GitHubApi,
  issueNumber: number,
  marker: string,
  body: string,
): Promise<{ action: 'created' | 'updated'; comment: IssueComment }> {
  if (!body.startsWith(marker)) throw new Error('comment body must start with its marker');
  const pages = octokit.paginate.iterator(octokit.rest.issues.listComments, {
    owner,
    repo,
    issue_number: issueNumber,
    per_page: 100,
  });
  for await (const { data: comments } of pages) {
    const existing = comments.find((comment) => comment.body?.startsWith(marker));
    if (existing) {
      const { data } = await octokit.rest.issues.updateComment({
        owner,
        repo,
        comment_id: existing.id,
        body,
      });
      return { action: 'updated', comment: data };
    }
  }
  const { data } = await octokit.rest.issues.createComment({ owner, repo, issue_number: issueNumber, body });
  return { action: 'created', comment: data };
}

/** The pull request whose merge produced `sha` (merge, squash or rebase), if any. */
export async function findMergedPullRequest(
  { octokit, owner, repo }: GitHubApi,
  sha: string,
): Promise<{ number: number; headSha: string } | undefined> {
  const pages = octokit.paginate.iterator(octokit.rest.repos.listPullRequestsAssociatedWithCommit, {
    owner,
    repo,
    commit_sha: sha,
    per_page: 100,
  });
  for await (const { data: pulls } of pages) {
    const merged = pulls.find((pull) => pull.merged_at && pull.merge_commit_sha === sha);
    if (merged) return { number: merged.number, headSha: merged.head.sha };
  }
  return undefined;
}

/**
 * The newest completed `pull_request` run of `workflowFile` for `headSha` that still has the named
 * artifact. A run whose plan failed for some stacks still counts: its record lists the stacks it planned.
 */
export async function findPlanRunWithArtifact(
  { octokit, owner, repo }: GitHubApi,
  workflowFile: string,
  headSha: string,
  artifactName: string,
): Promise<number | undefined> {
  // Newest first, as GitHub lists them; the 20 newest runs of one commit are plenty.
  const { data: runs } = await octokit.rest.actions.listWorkflowRuns({
    owner,
    repo,
    workflow_id: workflowFile,
    event: 'pull_request',
    status: 'completed',
    head_sha: headSha,
    per_page: 20,
  });
  for (const run of runs.workflow_runs) {
    if (run.head_sha !== headSha) continue;
    const { data } = await octokit.rest.actions.listWorkflowRunArtifacts({
      owner,
      repo,
      run_id: run.id,
      name: artifactName,
    });
    if (data.artifacts.some((artifact) => artifact.name === artifactName && !artifact.expired)) return run.id;
  }
  return undefined;
}
