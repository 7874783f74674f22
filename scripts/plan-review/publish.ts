import { describeGitHubError, type GitHubApi, upsertIssueComment } from './github';

export type PublishResult =
  | { ok: true; action: 'created' | 'updated'; url: string }
  | { ok: false; error: string };

/**
 * Upserts the comment and reports the outcome instead of throwing: a comment that cannot be posted
 * (token without rights, API outage, fork PR) must never fail the plan or deploy job it reports on.
 */
export async function publishComment(
  api: GitHubApi,
  issueNumber: number,
  marker: string,
  body: string,
): Promise<PublishResult> {
  try {
    const { action, comment } = await upsertIssueComment(api, issueNumber, marker, body);
    return { ok: true, action, url: comment.html_url };
  } catch (error) {
    return { ok: false, error: describeGitHubError(error) };
  }
}
