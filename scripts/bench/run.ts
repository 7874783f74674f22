// `npm run bench`: the built pet service side by side with the floor (node:http making the same
// SDK calls) and an Express + document-client version, against one local DynamoDB (dynalite in
// its own process). Prints a Markdown report for BENCHMARKS.md and writes the raw figures to
// bench-results/. Tunable by environment: BENCH_SECONDS (per measured load, default 10),
// BENCH_ROUNDS (default 3), BENCH_CONNECTIONS (default 10), BENCH_COLD_STARTS (default 10),
// BENCH_ONLY (comma-separated servers to run: service, floor, floor-tuned, express, baseline;
// default all), BENCH_BASELINE (a git revision: also measures the service as it was there, side by
// side, so that a change is judged within one run rather than across runs on a noisy machine).
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon, { type Result } from 'autocannon';
import { build } from 'esbuild';
import { BUNDLE_OPTIONS, bundleService } from '../../app/build';
import { createPetRepository } from '../../app/pets/repository';
import { createDynamoDbClient } from '../../app/plugins/dynamodb';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10);
const COLD_STARTS = Number(process.env.BENCH_COLD_STARTS ?? 10);
const WARMUP_SECONDS = 3;
const TABLE_NAME = 'pets';
const PORT = 18_181;
const CLOCK_TICKS_PER_SECOND = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim());

// The server under test gets a core of its own; this process (autocannon) and dynalite share the
// other. Without that, the load generator and the server fight for the same cores and the CPU
// figures swing by ±20% from run to run.
const PINNED = cpus().length >= 2 && commandExists('taskset');
if (PINNED) execFileSync('taskset', ['-a', '-cp', '0', String(process.pid)], { stdio: 'ignore' });
const SERVER_CPU = '1';

function commandExists(command: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

interface Variant {
  readonly name: 'service' | 'floor' | 'floor-tuned' | 'express' | 'baseline';
  readonly label: string;
  readonly file: string;
  readonly env?: Record<string, string>;
}

const ALL_VARIANTS: Variant[] = [
  { name: 'service', label: 'Pet service (Fastify bundle)', file: 'server.js' },
  { name: 'floor', label: 'Floor: node:http, same SDK calls', file: 'floor.js' },
  {
    name: 'floor-tuned',
    label: 'Floor with the service’s SDK client',
    file: 'floor.js',
    env: { FLOOR_CLIENT: 'service' },
  },
  { name: 'express', label: 'Express 5 + lib-dynamodb', file: 'express.js' },
];
const BASELINE = process.env.BENCH_BASELINE;
if (BASELINE !== undefined) {
  ALL_VARIANTS.push({ name: 'baseline', label: `Pet service at ${BASELINE}`, file: 'baseline.js' });
}
const only = process.env.BENCH_ONLY?.split(',');
const VARIANTS = ALL_VARIANTS.filter((variant) => only === undefined || only.includes(variant.name));

type Route = 'GET' | 'POST';

interface LoadFigures {
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  cpuMsPerRequest: number;
  responses: number;
  unexpected: number;
}

const children = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of children) child.kill('SIGKILL');
});

const here = fileURLToPath(new URL('.', import.meta.url));
const repositoryRoot = fileURLToPath(new URL('../..', import.meta.url));
const bundleDir = await mkdtemp(join(tmpdir(), 'pet-bench-'));

async function bundleAll(): Promise<void> {
  await bundleService(bundleDir);
  if (BASELINE !== undefined) {
    // The service's sources at that revision, bundled the same way against today's node_modules.
    const sources = await mkdtemp(join(tmpdir(), 'pet-baseline-'));
    const archive = execFileSync('git', ['archive', '--format=tar', BASELINE, 'app'], {
      cwd: repositoryRoot,
    });
    execFileSync('tar', ['-x', '-C', sources], { input: archive });
    await build({
      ...BUNDLE_OPTIONS,
      entryPoints: { baseline: join(sources, 'app', 'server.ts') },
      outdir: bundleDir,
      nodePaths: [join(repositoryRoot, 'node_modules')],
    });
    await rm(sources, { recursive: true, force: true });
  }
  await build({
    ...BUNDLE_OPTIONS,
    entryPoints: { floor: join(here, 'floor.ts'), express: join(here, 'express.ts') },
    outdir: bundleDir,
  });
}

/** dynalite with the pets table, in a process of its own. */
async function startDynamoDb(): Promise<string> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(here, 'dynamodb.ts')], {
    cwd: repositoryRoot,
    env: { ...process.env, TABLE_NAME },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.add(child);
  const [line] = (await once(child.stdout, 'data')) as [Buffer];
  return line.toString().trim();
}

function serverEnv(endpoint: string): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    PORT: String(PORT),
    HOST: '127.0.0.1',
    TABLE_NAME,
    AWS_REGION: 'us-east-1',
    DYNAMODB_ENDPOINT: endpoint,
    // What production runs with: one log line per request, written to a pipe and discarded here.
    LOG_LEVEL: 'info',
  };
}

function healthStatus(): Promise<number> {
  return new Promise((resolve) => {
    const probe = request({ host: '127.0.0.1', port: PORT, path: '/health', agent: false }, (response) => {
      response.resume();
      resolve(response.statusCode ?? 0);
    });
    probe.on('error', () => resolve(0));
    probe.end();
  });
}

/** Spawns a server and resolves with the milliseconds from spawn to its first 200 from /health. */
async function startServer(
  variant: Variant,
  endpoint: string,
): Promise<{ child: ChildProcess; coldStartMs: number }> {
  const started = performance.now();
  const [command, ...args] = PINNED
    ? ['taskset', '-c', SERVER_CPU, process.execPath, variant.file]
    : [process.execPath, variant.file];
  const child = spawn(command as string, args, {
    cwd: bundleDir,
    env: { ...serverEnv(endpoint), ...variant.env },
    // Logs go to a pipe, as under ECS; they are read and dropped.
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  children.add(child);
  child.stdout?.resume();
  while ((await healthStatus()) !== 200) {
    if (child.exitCode !== null) throw new Error(`${variant.name} exited with ${child.exitCode}`);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
  return { child, coldStartMs: performance.now() - started };
}

async function stopServer(child: ChildProcess): Promise<void> {
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  await exited;
  children.delete(child);
}

/** CPU time (user + system) the process has used so far, in milliseconds. */
function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS_PER_SECOND;
}

function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1]) / 1024;
}

let postCounter = 0;
function runLoad(route: Route, seconds: number): Promise<Result> {
  const base = `http://127.0.0.1:${PORT}`;
  if (route === 'GET') {
    return autocannon({
      url: `${base}/petstore/pets/bench-pet`,
      connections: CONNECTIONS,
      duration: seconds,
    });
  }
  // Every POST creates a new pet, so each is a 201 and a conditional PutItem that succeeds.
  const prefix = `p${Date.now().toString(36)}`;
  return autocannon({
    url: base,
    connections: CONNECTIONS,
    duration: seconds,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'Bench', species: 'dog', age: 3, tag: 'load' }),
    requests: [
      {
        setupRequest: (req) => {
          postCounter += 1;
          return { ...req, path: `/petstore/pets/${prefix}-${postCounter}` };
        },
      },
    ],
  });
}

async function measure(pid: number, route: Route): Promise<LoadFigures> {
  const before = cpuMs(pid);
  const result = await runLoad(route, SECONDS);
  const cpu = cpuMs(pid) - before;
  const expected = route === 'GET' ? '200' : '201';
  const responses = Object.values(result.statusCodeStats).reduce((sum, { count }) => sum + Number(count), 0);
  return {
    requestsPerSecond: responses / result.duration,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    cpuMsPerRequest: cpu / responses,
    responses,
    unexpected: responses - Number(result.statusCodeStats[expected]?.count ?? 0) + result.errors,
  };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] ?? NaN)
    : ((sorted[middle - 1] ?? NaN) + (sorted[middle] ?? NaN)) / 2;
}

// --- the run ---

const startedAt = new Date();
process.stderr.write(`bench: bundling into ${bundleDir}\n`);
await bundleAll();
const endpoint = await startDynamoDb();
process.stderr.write(`bench: dynalite at ${endpoint}\n`);

// The pet every GET reads.
{
  const client = createDynamoDbClient({
    region: 'us-east-1',
    endpoint,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  await createPetRepository(client, TABLE_NAME).replace(
    'bench-pet',
    { name: 'Bench', species: 'dog', age: 3, tag: 'read' },
    'bench-setup',
  );
  client.destroy();
}

const coldStarts = new Map<string, number[]>();
const idleRss = new Map<string, number[]>();
for (let i = 0; i < COLD_STARTS; i++) {
  for (const variant of VARIANTS) {
    const { child, coldStartMs } = await startServer(variant, endpoint);
    await new Promise((resolve) => setTimeout(resolve, 500));
    coldStarts.set(variant.name, [...(coldStarts.get(variant.name) ?? []), coldStartMs]);
    idleRss.set(variant.name, [...(idleRss.get(variant.name) ?? []), rssMb(child.pid ?? 0)]);
    await stopServer(child);
  }
}
process.stderr.write('bench: cold starts done\n');

const loads = new Map<string, LoadFigures[]>();
const rssAfterLoad = new Map<string, number[]>();
for (let round = 0; round < ROUNDS; round++) {
  // Rotate the order, so no variant always runs first (or last) on a warming machine.
  const order = VARIANTS.map((_, i) => VARIANTS[(i + round) % VARIANTS.length] as Variant);
  for (const variant of order) {
    const { child } = await startServer(variant, endpoint);
    const pid = child.pid ?? 0;
    await runLoad('GET', WARMUP_SECONDS);
    await runLoad('POST', WARMUP_SECONDS);
    for (const route of ['GET', 'POST'] as const) {
      const key = `${variant.name} ${route}`;
      loads.set(key, [...(loads.get(key) ?? []), await measure(pid, route)]);
    }
    rssAfterLoad.set(variant.name, [...(rssAfterLoad.get(variant.name) ?? []), rssMb(pid)]);
    await stopServer(child);
    process.stderr.write(`bench: round ${round + 1}/${ROUNDS} ${variant.name} done\n`);
  }
}

// --- the report ---

const summary = (variant: Variant, route: Route) => {
  const runs = loads.get(`${variant.name} ${route}`) ?? [];
  return {
    requestsPerSecond: median(runs.map((r) => r.requestsPerSecond)),
    p50Ms: median(runs.map((r) => r.p50Ms)),
    p99Ms: median(runs.map((r) => r.p99Ms)),
    cpuMsPerRequest: median(runs.map((r) => r.cpuMsPerRequest)),
    unexpected: runs.reduce((sum, r) => sum + r.unexpected, 0),
  };
};
const cpuOf = (name: Variant['name'], route: Route) => {
  const variant = VARIANTS.find((v) => v.name === name);
  return variant === undefined ? Number.NaN : summary(variant, route).cpuMsPerRequest;
};

const lines: string[] = [];
lines.push(
  `Measured ${startedAt.toISOString().slice(0, 10)} on ${cpus().length} × ${cpus()[0]?.model.trim()}, Node ${process.version}; ` +
    `load average at start ${loadavg()[0]?.toFixed(2)}. ${ROUNDS} rounds × ${SECONDS} s per route, ` +
    `${CONNECTIONS} connections (autocannon), after ${WARMUP_SECONDS} s warm-up per route; medians of the rounds. ` +
    (PINNED
      ? 'Each server runs alone on core 1; autocannon and dynalite share core 0.'
      : 'Not pinned to cores (no taskset): expect more noise.'),
);
lines.push('');
const COMPARED: Variant['name'][] = [
  'floor',
  'floor-tuned',
  'express',
  ...(BASELINE === undefined ? [] : ['baseline' as const]),
];
lines.push(
  `| Server | Route | Requests/s | p50 ms | p99 ms | CPU µs / request | ${COMPARED.map((name) => `vs ${name}`).join(' | ')} |`,
);
lines.push(`| --- | --- | ---: | ---: | ---: | ---: | ${COMPARED.map(() => '---:').join(' | ')} |`);
for (const route of ['GET', 'POST'] as const) {
  for (const variant of VARIANTS) {
    const s = summary(variant, route);
    const ratios = COMPARED.map((other) =>
      variant.name === other || Number.isNaN(cpuOf(other, route))
        ? ''
        : `${(s.cpuMsPerRequest / cpuOf(other, route)).toFixed(2)}×`,
    );
    lines.push(
      `| ${variant.label} | ${route} | ${s.requestsPerSecond.toFixed(0)} | ${s.p50Ms.toFixed(0)} | ${s.p99Ms.toFixed(0)} | ` +
        `${(s.cpuMsPerRequest * 1000).toFixed(0)} | ${ratios.join(' | ')} |`,
    );
    if (s.unexpected > 0)
      lines.push(`<!-- ${variant.name} ${route}: ${s.unexpected} unexpected responses -->`);
  }
}
lines.push('');
lines.push(
  '| Server | Cold start ms (spawn → first 200 from /health), median / max | Idle RSS MB after start | RSS MB after load |',
);
lines.push('| --- | ---: | ---: | ---: |');
for (const variant of VARIANTS) {
  const starts = coldStarts.get(variant.name) ?? [];
  lines.push(
    `| ${variant.label} | ${median(starts).toFixed(0)} / ${Math.max(...starts).toFixed(0)} | ` +
      `${median(idleRss.get(variant.name) ?? []).toFixed(1)} | ${median(rssAfterLoad.get(variant.name) ?? []).toFixed(1)} |`,
  );
}
const report = lines.join('\n');
process.stdout.write(`${report}\n`);

const resultsDir = join(repositoryRoot, 'bench-results');
await mkdir(resultsDir, { recursive: true });
await writeFile(
  join(resultsDir, `pet-service-${startedAt.toISOString().replace(/[:.]/g, '-')}.json`),
  JSON.stringify(
    {
      startedAt,
      settings: { SECONDS, ROUNDS, CONNECTIONS, COLD_STARTS, WARMUP_SECONDS },
      loads: Object.fromEntries(loads),
      coldStarts: Object.fromEntries(coldStarts),
      idleRss: Object.fromEntries(idleRss),
      rssAfterLoad: Object.fromEntries(rssAfterLoad),
    },
    null,
    2,
  ),
);
await rm(bundleDir, { recursive: true, force: true });
process.exit(0);
