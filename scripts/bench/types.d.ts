// Neither package ships types; these cover what the benchmark uses.

declare module 'express' {
  import type { Server } from 'node:http';

  interface Request {
    params: Record<string, string>;
    body: Record<string, unknown> | undefined;
  }
  interface Response {
    status(code: number): Response;
    location(url: string): Response;
    json(body: unknown): Response;
  }
  type Handler = (request: Request, response: Response) => unknown;
  interface Application {
    use(handler: unknown): Application;
    get(path: string, handler: Handler): Application;
    post(path: string, handler: Handler): Application;
    listen(port: number, host: string, callback: () => void): Server;
  }
  interface Express {
    (): Application;
    json(options?: { limit?: string }): unknown;
  }

  const express: Express;
  export default express;
}

declare module 'autocannon' {
  interface Histogram {
    average: number;
    mean: number;
    p50: number;
    p90: number;
    p99: number;
    total: number;
  }
  interface Options {
    url: string;
    connections?: number;
    duration?: number;
    method?: string;
    headers?: Record<string, string>;
    body?: string;
    requests?: { setupRequest?: (request: { path: string; [key: string]: unknown }) => unknown }[];
  }
  interface Result {
    requests: Histogram;
    latency: Histogram;
    duration: number;
    errors: number;
    timeouts: number;
    non2xx: number;
    statusCodeStats: Record<string, { count: number }>;
  }

  export default function autocannon(options: Options): Promise<Result>;
}
