import {
  describeError,
  findReviewedPlan,
  fromEnv,
  type GitHubApi,
  upsertComment,
} from '../../scripts/plan-review/github';
import { FakeGitHub } from './fake-github';

const MARKER = '<!-- plan-review:terraform-plan -->';
let github: FakeGitHub;
let api: GitHubApi;

beforeEach(async () => {
  github = await new FakeGitHub().start();
  const env = { GITHUB_TOKEN: 'test-token', GITHUB_REPOSITORY: 'acme/petstore', GITHUB_API_URL: github.url };
  api = fromEnv(env) as GitHubApi;
});

afterEach(async () => {
  await github.stop();
});

describe('upsertComment', () => {
  it('creates the comment when the pull request has none with the marker', async () => {
    github.comments = [{ id: 1, body: 'LGTM' }];
    const result = await upsertComment(api, 7, MARKER, `${MARKER}\nplan v1`);
    expect(result).toMatch(/^created /);
    expect(github.comments.map((c) => c.body)).toEqual(['LGTM', `${MARKER}\nplan v1`]);
    expect(github.requests.at(-1)).toMatchObject({
      method: 'POST',
      url: '/repos/acme/petstore/issues/7/comments',
      authorization: 'token test-token',
    });
  });

  it('finds its comment on a later page and updates it in place', async () => {
    github.comments = [
      { id: 1, body: 'first' },
      { id: 2, body: 'second' },
      { id: 3, body: '<!-- plan-review:deploy-dev -->\ndeployed' },
      { id: 4, body: `> ${MARKER}\n> quoted by a reviewer` },
      { id: 5, body: `${MARKER}\nplan v1` },
    ];
    const result = await upsertComment(api, 7, MARKER, `${MARKER}\nplan v2`);
    expect(result).toMatch(/^updated .*\/5$/);
    expect(github.comments.find((c) => c.id === 5)?.body).toBe(`${MARKER}\nplan v2`);
    expect(github.comments.find((c) => c.id === 4)?.body).toBe(`> ${MARKER}\n> quoted by a reviewer`);
    expect(github.comments).toHaveLength(5);
    expect(github.requests.map((r) => `${r.method} ${r.url}`)).toEqual([
      'GET /repos/acme/petstore/issues/7/comments?per_page=100',
      'GET /repos/acme/petstore/issues/7/comments?per_page=100&page=2',
      'GET /repos/acme/petstore/issues/7/comments?per_page=100&page=3',
      'PATCH /repos/acme/petstore/issues/comments/5',
    ]);
  });

  it('refuses a body that does not start with its marker, since it could never be found again', async () => {
    await expect(upsertComment(api, 7, MARKER, 'plan')).rejects.toThrow('must start with its marker');
  });
});

describe('describeError', () => {
  const failure = (error: unknown) => describeError(error);

  it('names the request, the status and GitHub’s message', async () => {
    github.failWith = 403;
    const error = await upsertComment(api, 7, MARKER, `${MARKER}\nplan`).catch(failure);
    expect(error).toBe(
      `GET ${github.url}/repos/acme/petstore/issues/7/comments?per_page=100: HTTP 403 simulated failure`,
    );
  });

  it('says when GitHub could not be reached at all', async () => {
    await github.stop(); // nothing listens on its port any more
    const error = await upsertComment(api, 7, MARKER, `${MARKER}\nplan`).catch(failure);
    expect(error).toMatch(/GitHub could not be reached \(.*ECONNREFUSED/);
  });
});

describe('fromEnv', () => {
  it('needs a token and an owner/name repository', () => {
    expect(fromEnv({ GITHUB_TOKEN: 't', GITHUB_REPOSITORY: 'petstore' })).toBeUndefined();
    expect(fromEnv({ GITHUB_REPOSITORY: 'acme/petstore' })).toBeUndefined();
    expect(fromEnv({ GITHUB_TOKEN: 't', GITHUB_REPOSITORY: 'acme/petstore' })).toMatchObject({
      owner: 'acme',
      repo: 'petstore',
    });
  });
});

describe('findReviewedPlan', () => {
  it('finds the merged pull request of the pushed commit, and its newest plan run whose artifact has not expired', async () => {
    github.pullsByCommit.abc123 = [
      { number: 3, merged_at: null, merge_commit_sha: 'abc123', head: { sha: 'open-pr-head' } },
      {
        number: 4,
        merged_at: '2025-01-02T03:04:05Z',
        merge_commit_sha: 'other',
        head: { sha: 'other-head' },
      },
      {
        number: 5,
        merged_at: '2025-01-02T03:04:05Z',
        merge_commit_sha: 'abc123',
        head: { sha: 'reviewed-head' },
      },
    ];
    github.runsByWorkflow['pr-plan.yml'] = [
      { id: 30, status: 'completed', head_sha: 'reviewed-head' },
      { id: 20, status: 'completed', head_sha: 'reviewed-head' },
      { id: 10, status: 'completed', head_sha: 'reviewed-head' },
    ];
    github.artifactsByRun[30] = []; // cancelled before upload
    github.artifactsByRun[20] = [{ name: 'plan-review', expired: false }];
    github.artifactsByRun[10] = [{ name: 'plan-review', expired: false }];
    const find = (sha: string) => findReviewedPlan(api, sha, 'pr-plan.yml', 'plan-review');
    expect(await find('abc123')).toEqual({ pull: 5, headSha: 'reviewed-head', runId: 20 });
    expect(github.requests.map((request) => request.url)).toContain(
      '/repos/acme/petstore/actions/workflows/pr-plan.yml/runs?event=pull_request&status=completed&head_sha=reviewed-head&per_page=20',
    );
    expect(await find('def456')).toEqual({});

    github.artifactsByRun[20] = [{ name: 'plan-review', expired: true }];
    github.artifactsByRun[10] = [{ name: 'plan-review', expired: true }];
    expect(await find('abc123')).toEqual({ pull: 5, headSha: 'reviewed-head' });
  });
});
