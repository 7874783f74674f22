// `npm run bench`: the built pet service beside the floor (floor.ts: node:http making the same SDK
// calls), each in a process of its own, on one local DynamoDB (dynalite): requests/s, latency and
// CPU per request under load, cold start and idle memory. Prints a Markdown report for
// BENCHMARKS.md. Tunable by environment: BENCH_SECONDS (per measured load, default 10),
// BENCH_ROUNDS (default 3), BENCH_CONNECTIONS (default 10), BENCH_COLD_STARTS (default 10).
import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { get } from 'node:http';
import type { AddressInfo } from 'node:net';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import autocannon from 'autocannon';
import { build } from 'esbuild';
import { BUNDLE_OPTIONS, bundleService } from '../../app/build';
import { createLocalDynamoDb } from '../../app/local-dynamodb';
import { createPetRepository } from '../../app/pets/repository';
import { createIdempotencyTable, createPetTable } from '../../app/pets/table';
import { createDynamoDbClient } from '../../app/plugins/dynamodb';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10);
const COLD_STARTS = Number(process.env.BENCH_COLD_STARTS ?? 10);
const WARMUP_SECONDS = 3;
const PORT = 18_181;
const CLOCK_TICKS_PER_SECOND = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }));
const ROUTES = ['GET', 'POST'] as const;
type Route = (typeof ROUTES)[number];

// A server under test gets core 1 to itself; this process (autocannon and dynalite) has core 0.
// Without that, the load generator and the server fight for the same cores and the CPU figures
// swing by ±20% from run to run.
const PINNED = cpus().length >= 2 && spawnSync('taskset', ['-V']).status === 0;
if (PINNED) execFileSync('taskset', ['-a', '-cp', '0', String(process.pid)], { stdio: 'ignore' });

const SERVICE = { label: 'Pet service (Fastify bundle)', file: 'server.js' };
const FLOOR = { label: 'Floor: node:http, same SDK client and calls', file: 'floor.js' };
const SERVERS = [SERVICE, FLOOR];
type Server = typeof SERVICE;

let running: ChildProcess | undefined;
process.on('exit', () => running?.kill('SIGKILL'));

/** dynalite on a free port with the service's tables and the pet every GET reads; its endpoint. */
async function startDynamoDb(): Promise<string> {
  const server = createLocalDynamoDb().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
  const client = createDynamoDbClient({ region: 'us-east-1', endpoint, credentials });
  await createPetTable(client, 'pets');
  await createIdempotencyTable(client, 'pets-idempotency');
  const pet = { name: 'Bench', species: 'dog', age: 3, tag: 'read' } as const;
  await createPetRepository(client, 'pets').replace('bench-pet', pet, 'bench-setup');
  client.destroy();
  return endpoint;
}

const healthy = () =>
  new Promise<boolean>((resolve) => {
    get({ host: '127.0.0.1', port: PORT, path: '/health', agent: false }, (response) => {
      response.resume();
      resolve(response.statusCode === 200);
    }).on('error', () => resolve(false));
  });

/** Spawns a server from the bundle; resolves with the milliseconds to its first 200 from /health. */
async function start(server: Server, bundleDir: string, endpoint: string) {
  const started = performance.now();
  const node = [process.execPath, server.file];
  const [command = 'node', ...args] = PINNED ? ['taskset', '-c', '1', ...node] : node;
  const env = {
    PATH: process.env.PATH,
    PORT: String(PORT),
    HOST: '127.0.0.1',
    TABLE_NAME: 'pets',
    AWS_REGION: 'us-east-1',
    DYNAMODB_ENDPOINT: endpoint,
    // What production runs with: one log line per request, into a pipe (as under ECS) that is
    // read and dropped. The floor does not log.
    LOG_LEVEL: 'info',
  };
  const child = spawn(command, args, { cwd: bundleDir, env, stdio: ['ignore', 'pipe', 'ignore'] });
  running = child;
  child.stdout?.resume();
  while (!(await healthy())) {
    if (child.exitCode !== null) throw new Error(`${server.file} exited with ${child.exitCode}`);
    await sleep(2);
  }
  return { child, pid: child.pid ?? 0, coldStartMs: performance.now() - started };
}

/** CPU time (user + system, all threads) the process has used so far, in milliseconds. */
function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS_PER_SECOND;
}

let posts = 0;
// Every POST creates a new pet, so each is a 201 and a conditional PutItem that succeeds.
const POST: Partial<autocannon.Options> = {
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ name: 'Bench', species: 'dog', age: 3, tag: 'load' }),
  requests: [{ setupRequest: (request) => ({ ...request, path: `/petstore/pets/p${++posts}` }) }],
};
function load(route: Route, seconds: number) {
  const url = `http://127.0.0.1:${PORT}/petstore/pets/bench-pet`;
  return autocannon({ url, connections: CONNECTIONS, duration: seconds, ...(route === 'POST' ? POST : {}) });
}

/** One measured load: requests/s, latency, and the server's CPU per response. */
async function measure(server: Server, pid: number, route: Route) {
  const before = cpuMs(pid);
  const result = await load(route, SECONDS);
  const cpu = cpuMs(pid) - before;
  const statuses = result.statusCodeStats ?? {};
  const responses = Object.values(statuses).reduce((sum, { count = 0 }) => sum + count, 0);
  const unexpected = responses - (statuses[route === 'GET' ? '200' : '201']?.count ?? 0) + result.errors;
  if (unexpected > 0)
    process.stderr.write(`bench: ${server.file} ${route}: ${unexpected} unexpected responses\n`);
  return {
    requestsPerSecond: responses / result.duration,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    cpuUsPerRequest: (cpu * 1000) / responses,
  };
}

/** The middle value; of an even count, the mean of the two middle ones. */
function median(values: number[]): number {
  const sorted = values.toSorted((a, b) => a - b);
  const middle = (sorted.length - 1) / 2;
  return ((sorted[Math.floor(middle)] ?? Number.NaN) + (sorted[Math.ceil(middle)] ?? Number.NaN)) / 2;
}

// --- the run ---

const bundleDir = mkdtempSync(join(tmpdir(), 'pet-bench-'));
await bundleService(bundleDir);
const floor = join(import.meta.dirname, 'floor.ts');
await build({ ...BUNDLE_OPTIONS, entryPoints: { floor }, outdir: bundleDir });
const endpoint = await startDynamoDb();
process.stderr.write(`bench: bundled into ${bundleDir}; dynalite at ${endpoint}\n`);

const idle: { server: Server; coldStartMs: number; rssMb: number }[] = [];
type Figures = Awaited<ReturnType<typeof measure>>;
const runs: ({ server: Server; route: Route } & Figures)[] = [];
const passes = Math.max(COLD_STARTS, ROUNDS);
// Every start is a cold start; the first ROUNDS starts of each server are then put under load.
for (let i = 0; i < passes; i++) {
  // Alternate the order, so neither server always runs first on a warming machine.
  for (const server of i % 2 === 0 ? SERVERS : [FLOOR, SERVICE]) {
    const { child, pid, coldStartMs } = await start(server, bundleDir, endpoint);
    await sleep(500);
    const rssKb = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    if (i < COLD_STARTS) idle.push({ server, coldStartMs, rssMb: Number(rssKb) / 1024 });
    if (i < ROUNDS) {
      for (const route of ROUTES) await load(route, WARMUP_SECONDS);
      for (const route of ROUTES) runs.push({ server, route, ...(await measure(server, pid, route)) });
    }
    child.kill('SIGTERM');
    await once(child, 'exit');
  }
  process.stderr.write(`bench: pass ${i + 1} of ${passes} done\n`);
}
rmSync(bundleDir, { recursive: true, force: true });

// --- the report: medians of the rounds ---

const summary = (server: Server, route: Route, key: keyof Figures) =>
  median(runs.filter((run) => run.server === server && run.route === route).map((run) => run[key]));
const report = [
  `Measured ${new Date().toISOString().slice(0, 10)} on ${cpus().length} × ${cpus()[0]?.model.trim()}, Node ${process.version}; ` +
    `load average at the end ${loadavg()[0]?.toFixed(2)}. ${ROUNDS} rounds × ${SECONDS} s per route, ` +
    `${CONNECTIONS} connections (autocannon), after ${WARMUP_SECONDS} s warm-up per route; medians of the rounds. ` +
    (PINNED
      ? 'Each server runs alone on core 1; autocannon and dynalite share core 0.'
      : 'Not pinned to cores (no taskset): expect more noise.'),
  '',
  '| Server | Route | Requests/s | p50 ms | p99 ms | CPU µs / request | vs floor |',
  '| --- | --- | ---: | ---: | ---: | ---: | ---: |',
];
for (const route of ROUTES) {
  for (const server of SERVERS) {
    const keys = ['requestsPerSecond', 'p50Ms', 'p99Ms', 'cpuUsPerRequest'] as const;
    const figures = keys.map((key) => summary(server, route, key).toFixed(0)).join(' | ');
    const vsFloor = summary(server, route, 'cpuUsPerRequest') / summary(FLOOR, route, 'cpuUsPerRequest');
    const ratio = server === FLOOR ? '' : `${vsFloor.toFixed(2)}×`;
    report.push(`| ${server.label} | ${route} | ${figures} | ${ratio} |`);
  }
}
report.push(
  '',
  '| Server | Cold start ms (spawn → first 200 from /health), median / max | Idle RSS MB, 0.5 s after |',
  '| --- | ---: | ---: |',
);
for (const server of SERVERS) {
  const samples = idle.filter((sample) => sample.server === server);
  const starts = samples.map((sample) => sample.coldStartMs);
  const [middle, max] = [median(starts).toFixed(0), Math.max(...starts).toFixed(0)];
  const rss = median(samples.map((sample) => sample.rssMb)).toFixed(1);
  report.push(`| ${server.label} | ${middle} / ${max} | ${rss} |`);
}
process.stdout.write(`${report.join('\n')}\n`);
process.exit(0);
