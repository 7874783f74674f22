import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeComment {
  id: number;
  body: string;
}

export interface RecordedRequest {
  method: string;
  url: string;
  authorization?: string;
  body?: unknown;
}

/**
 * A local imitation of the GitHub REST endpoints plan review calls: issue comments (listed
 * `pageSize` at a time with a Link header, created, updated), commit → pull requests, workflow
 * runs and run artifacts. `failWith` makes every request answer with that status.
 */
export class FakeGitHub {
  comments: FakeComment[] = [];
  pullsByCommit: Record<string, unknown[]> = {};
  runsByWorkflow: Record<string, { id: number; status: string; head_sha: string }[]> = {};
  artifactsByRun: Record<number, { name: string; expired: boolean }[]> = {};
  requests: RecordedRequest[] = [];
  failWith?: number;
  pageSize = 2;
  private server?: Server;
  private nextId = 1000;

  get url(): string {
    const address = this.server?.address() as AddressInfo | undefined;
    if (!address) throw new Error('FakeGitHub is not started');
    return `http://127.0.0.1:${address.port}`;
  }

  async start(): Promise<this> {
    this.server = createServer((request, response) => {
      this.handle(request, response).catch((error: unknown) => {
        response.writeHead(500).end(String(error));
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    return this;
  }

  /** Stops listening; calling it again does nothing. */
  async stop(): Promise<void> {
    const server = this.server;
    if (!server?.listening) return;
    await new Promise<void>((resolve, reject) =>
      server.close((error) => (error ? reject(error) : resolve())),
    );
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    const url = new URL(request.url ?? '/', this.url);
    this.requests.push({
      method: request.method ?? 'GET',
      url: url.pathname + url.search,
      ...(request.headers.authorization ? { authorization: request.headers.authorization } : {}),
      ...(text ? { body: JSON.parse(text) } : {}),
    });
    const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      response
        .writeHead(status, { 'content-type': 'application/json', ...headers })
        .end(JSON.stringify(body));
    };
    if (this.failWith) return send(this.failWith, { message: 'simulated failure' });

    const route = (pattern: RegExp) => pattern.exec(url.pathname);
    const repo = '/repos/[^/]+/[^/]+';

    if (route(new RegExp(`^${repo}/issues/\\d+/comments$`))) {
      if (request.method === 'POST') {
        const comment = { id: this.nextId++, body: (JSON.parse(text) as { body: string }).body };
        this.comments.push(comment);
        return send(201, { ...comment, html_url: `https://github.example/c/${comment.id}` });
      }
      const page = Number(url.searchParams.get('page') ?? '1');
      const start = (page - 1) * this.pageSize;
      const items = this.comments.slice(start, start + this.pageSize);
      const hasNext = start + this.pageSize < this.comments.length;
      const next = new URL(url);
      next.searchParams.set('page', String(page + 1));
      return send(200, items, hasNext ? { link: `<${next}>; rel="next", <${next}>; rel="last"` } : {});
    }
    const comment = route(new RegExp(`^${repo}/issues/comments/(\\d+)$`));
    if (comment && request.method === 'PATCH') {
      const existing = this.comments.find((c) => c.id === Number(comment[1]));
      if (!existing) return send(404, { message: 'Not Found' });
      existing.body = (JSON.parse(text) as { body: string }).body;
      return send(200, { ...existing, html_url: `https://github.example/c/${existing.id}` });
    }
    const commitPulls = route(new RegExp(`^${repo}/commits/([0-9a-z]+)/pulls$`));
    if (commitPulls) return send(200, this.pullsByCommit[commitPulls[1] ?? ''] ?? []);
    const workflowRuns = route(new RegExp(`^${repo}/actions/workflows/([^/]+)/runs$`));
    if (workflowRuns) {
      const runs = (this.runsByWorkflow[decodeURIComponent(workflowRuns[1] ?? '')] ?? []).filter(
        (run) => run.head_sha === url.searchParams.get('head_sha'),
      );
      return send(200, { total_count: runs.length, workflow_runs: runs });
    }
    const runArtifacts = route(new RegExp(`^${repo}/actions/runs/(\\d+)/artifacts$`));
    if (runArtifacts) {
      const name = url.searchParams.get('name');
      const artifacts = (this.artifactsByRun[Number(runArtifacts[1])] ?? []).filter(
        (a) => !name || a.name === name,
      );
      return send(200, { total_count: artifacts.length, artifacts });
    }
    return send(404, { message: 'Not Found' });
  }
}
