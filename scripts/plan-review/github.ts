/** The few GitHub REST calls plan review needs, over global fetch (no SDK). */

export interface GitHubApi {
  /** e.g. https://api.github.com (GITHUB_API_URL on runners, also right for GitHub Enterprise). */
  apiUrl: string;
  token: string;
  /** owner/name */
  repository: string;
  fetch?: typeof fetch;
}

export class GitHubApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

interface Page<T> {
  data: T;
  next?: string;
}

async function request<T>(api: GitHubApi, method: string, url: string, body?: unknown): Promise<Page<T>> {
  const response = await (api.fetch ?? fetch)(url.startsWith('http') ? url : `${api.apiUrl}${url}`, {
    method,
    headers: {
      accept: 'application/vnd.github+json',
      authorization: `Bearer ${api.token}`,
      'x-github-api-version': '2022-11-28',
      'user-agent': 'petstore-plan-review',
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  if (!response.ok) {
    const detail = (await response.text()).slice(0, 300);
    throw new GitHubApiError(`${method} ${url}: HTTP ${response.status} ${detail}`, response.status);
  }
  const next = /<([^>]+)>;\s*rel="next"/.exec(response.headers.get('link') ?? '')?.[1];
  return { data: (await response.json()) as T, ...(next ? { next } : {}) };
}

async function* paginate<T>(api: GitHubApi, path: string): AsyncGenerator<T> {
  let url: string | undefined = path;
  while (url) {
    const page: Page<T[]> = await request<T[]>(api, 'GET', url);
    yield* page.data;
    url = page.next;
  }
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
  api: GitHubApi,
  issueNumber: number,
  marker: string,
  body: string,
): Promise<{ action: 'created' | 'updated'; comment: IssueComment }> {
  if (!body.startsWith(marker)) throw new Error('comment body must start with its marker');
  const issuePath = `/repos/${api.repository}/issues/${issueNumber}/comments`;
  for await (const comment of paginate<IssueComment>(api, `${issuePath}?per_page=100`)) {
    if (comment.body?.startsWith(marker)) {
      const updated = await request<IssueComment>(
        api,
        'PATCH',
        `/repos/${api.repository}/issues/comments/${comment.id}`,
        { body },
      );
      return { action: 'updated', comment: updated.data };
    }
  }
  const created = await request<IssueComment>(api, 'POST', issuePath, { body });
  return { action: 'created', comment: created.data };
}

interface PullRequest {
  number: number;
  merged_at: string | null;
  merge_commit_sha: string | null;
  head: { sha: string };
}

/** The pull request whose merge produced `sha` (merge, squash or rebase), if any. */
export async function findMergedPullRequest(
  api: GitHubApi,
  sha: string,
): Promise<{ number: number; headSha: string } | undefined> {
  for await (const pull of paginate<PullRequest>(
    api,
    `/repos/${api.repository}/commits/${sha}/pulls?per_page=100`,
  )) {
    if (pull.merged_at && pull.merge_commit_sha === sha)
      return { number: pull.number, headSha: pull.head.sha };
  }
  return undefined;
}

interface WorkflowRun {
  id: number;
  status: string;
  head_sha: string;
}

interface Artifact {
  name: string;
  expired: boolean;
}

/**
 * The newest completed `pull_request` run of `workflowFile` for `headSha` that still has the named
 * artifact. A run whose plan failed for some stacks still counts: its record lists the stacks it planned.
 */
export async function findPlanRunWithArtifact(
  api: GitHubApi,
  workflowFile: string,
  headSha: string,
  artifactName: string,
): Promise<number | undefined> {
  const runsPath = `/repos/${api.repository}/actions/workflows/${encodeURIComponent(workflowFile)}/runs?event=pull_request&status=completed&head_sha=${headSha}&per_page=20`;
  const runs = await request<{ workflow_runs: WorkflowRun[] }>(api, 'GET', runsPath);
  // GitHub lists runs newest first.
  for (const run of runs.data.workflow_runs) {
    if (run.head_sha !== headSha) continue;
    const artifacts = await request<{ artifacts: Artifact[] }>(
      api,
      'GET',
      `/repos/${api.repository}/actions/runs/${run.id}/artifacts?name=${encodeURIComponent(artifactName)}`,
    );
    if (artifacts.data.artifacts.some((artifact) => artifact.name === artifactName && !artifact.expired)) {
      return run.id;
    }
  }
  return undefined;
}
