/**
 * `npm run local [-- --stack petstore-dev] [--skip-build]`: the whole design on this machine (docs/local.md).
 * The stack applied to an AWS emulator, the pet service run as ECS runs a task and a local gateway serving
 * the HTTP API as deployed. Prints one JSON line when ready, then runs until SIGINT or SIGTERM and cleans up.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { type AddressInfo, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ApiGatewayV2Client } from '@aws-sdk/client-apigatewayv2';
import { RegisterInstanceCommand, ServiceDiscoveryClient } from '@aws-sdk/client-servicediscovery';
import { type SynthesizedStack, selectStacks } from '../lib/cdktf-manifest';
import * as emulators from '../lib/emulator';
import { synthForEmulator, terraformStep } from '../lib/emulator/workspace';
import { OperatorError, parseArguments } from '../lib/operator-error';
import { parseTerraformOutputs, requireOutputs } from '../lib/stack-outputs';
import { findProviderMirror, requireTerraform, terraformEnvironment } from '../lib/terraform';
import { cloudMapEndpoints } from './cloud-map';
import { type Gateway, startGateway } from './gateway';
import { loadHttpApi } from './http-api';
import { type Supervisor, supervise } from './supervisor';

const USAGE = 'usage: npm run local [-- --stack <name>] [--skip-build]  (PORT: the gateway, 8080)';
const OPTIONS = {
  stack: { type: 'string', default: 'petstore-dev' },
  'skip-build': { type: 'boolean', default: false },
} as const;

function parseOptions(args: string[]) {
  const { values } = parseArguments({ args, options: OPTIONS }, USAGE);
  const port = process.env.PORT ?? '8080';
  if (/^\d+$/.test(port) && Number(port) <= 65535) return { ...values, port: Number(port) };
  throw new OperatorError(`PORT is '${port}': expected a TCP port from 0 (any free one) to 65535\n${USAGE}`);
}

async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Starts the built service (on `env.PORT`) and waits until its health check answers. */
async function startService(env: NodeJS.ProcessEnv): Promise<ChildProcess> {
  // Its request log lines go to our stderr, where a person watching sees them.
  const child = spawn(process.execPath, ['app/dist/server.js'], { env, stdio: ['ignore', 2, 2] });
  for (const deadline = Date.now() + 15_000; Date.now() < deadline; await sleep(100)) {
    if (child.exitCode !== null)
      throw new OperatorError(`the pet service exited with code ${child.exitCode}`);
    // Refused until it listens.
    if ((await fetch(`http://127.0.0.1:${env.PORT}/health`).catch(() => undefined))?.ok) return child;
  }
  child.kill('SIGKILL');
  throw new OperatorError('the pet service did not become healthy within 15 s');
}

const workRoot = mkdtempSync(path.join(tmpdir(), 'petstore-local-'));
let emulator: emulators.Emulator | undefined;
let service: Supervisor | undefined;
let gateway: Gateway | undefined;
let stopping: Promise<void> | undefined;
const stop = () => {
  stopping ??= (async () => {
    await gateway?.close();
    if (service) await emulators.stopChild(await service.stop());
    await emulator?.stop();
    rmSync(workRoot, { recursive: true, force: true });
  })();
  return stopping;
};
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    console.error(`local: ${signal}, stopping`);
    stop().then(() => process.exit(0));
  });
}

try {
  const options = parseOptions(process.argv.slice(2));
  requireTerraform();
  const mirror = findProviderMirror();
  if (!options['skip-build']) {
    // Its output goes to stderr, so stdout keeps only the JSON line.
    const build = spawnSync('npm', ['run', '--silent', 'build'], { stdio: ['ignore', 2, 2] });
    if (build.status !== 0) throw new OperatorError('npm run build failed');
  }
  emulator = await emulators.startEmulator();
  const { endpoint } = emulator;
  const stacks = synthForEmulator(path.join(workRoot, 'cdktf.out'), { endpoint, mirror });
  const stack = selectStacks(stacks, [options.stack])[0] as SynthesizedStack;
  // The repository is the bootstrap stack's; the service runs from app/dist here, not from an image.
  await emulators.pushEmulatorImage(endpoint, stack.name, { create: true });
  const env = {
    ...process.env,
    ...terraformEnvironment(workRoot, mirror),
    TF_VAR_require_pushed_image: 'false',
  };
  const terraform = (...args: string[]) => terraformStep(stack.workingDirectory, env, args);
  console.error(`local: applying ${stack.name} to the emulator at ${endpoint}`);
  await terraform('init', '-input=false', '-no-color');
  await terraform('apply', '-input=false', '-no-color', '-json', '-auto-approve');
  const source = `the outputs of ${stack.name}`;
  const outputs = parseTerraformOutputs((await terraform('output', '-json')).stdout, source);
  const names = ['api_endpoint', 'table_name', 'region'] as const;
  const { api_endpoint, table_name, region } = requireOutputs(outputs, names, source);
  const clientConfig = { region, endpoint, credentials: emulators.EMULATOR_CREDENTIALS };
  const apiId = new URL(api_endpoint).hostname.split('.')[0] as string;
  const api = await loadHttpApi(new ApiGatewayV2Client(clientConfig), apiId);
  // DiscoverInstances goes to `data-<endpoint>` unless told otherwise; the emulator has one endpoint.
  const cloudMap = new ServiceDiscoveryClient({ ...clientConfig, disableHostPrefix: true });

  // The service keeps its port when it is started again, so its Cloud Map registration holds; while
  // it restarts the gateway gets no connection and answers 503, as API Gateway does with no task.
  const servicePort = await freePort();
  const serviceEnvironment = {
    ...process.env,
    ...emulators.emulatorEnvironment(endpoint, region),
    PORT: String(servicePort),
    HOST: '127.0.0.1',
    TABLE_NAME: table_name,
    DYNAMODB_ENDPOINT: endpoint,
    // Nothing lags behind this gateway's Cloud Map view at shutdown: stop at once.
    PRE_STOP_DELAY_SECONDS: '0',
  };
  const giveUp = (reason: string) => {
    console.error(`local: the pet service keeps stopping (${reason}); stopping`);
    stop().then(() => process.exit(1));
  };
  service = await supervise(() => startService(serviceEnvironment), giveUp);
  // As ECS does for a task of a service with service discovery: register its address and port.
  const InstanceId = `local-${servicePort}`;
  const Attributes = { AWS_INSTANCE_IPV4: '127.0.0.1', AWS_INSTANCE_PORT: String(servicePort) };
  for (const ServiceId of new Set(api.routes.map((route) => route.integration.serviceId)))
    await cloudMap.send(new RegisterInstanceCommand({ ServiceId, InstanceId, Attributes }));

  gateway = await startGateway({
    api,
    // Cognito serves a pool's keys at <issuer>/.well-known/jwks.json; the emulator at <endpoint>/<pool id>/….
    jwksUrl: (issuer) => new URL(`${endpoint}${new URL(issuer).pathname}/.well-known/jwks.json`),
    endpoints: cloudMapEndpoints(cloudMap),
    port: options.port,
  }).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'EADDRINUSE') throw error;
    throw new OperatorError(`port ${options.port} is in use: set PORT to a free one (PORT=0 picks any)`);
  });
  const session = { gateway: gateway.url, emulator: endpoint, stack: stack.name, outputs };
  const sessionFile = path.join(workRoot, 'session.json');
  writeFileSync(sessionFile, `${JSON.stringify(session, null, 2)}\n`);
  console.error(`local: ready. Get a token for a test user, then write a pet:
  TOKEN=$(npm run --silent local:token -- --session ${sessionFile})
  curl -s -XPOST ${gateway.url}/petstore/pets/rex -H "authorization: Bearer $TOKEN" -H 'content-type: application/json' -d '{"name":"Rex"}'
Smoke test through the gateway:
  npm run smoke -- --session ${sessionFile}
Stop with Ctrl-C.`);
  console.log(JSON.stringify(session));
} catch (error) {
  await stop();
  if (!(error instanceof OperatorError)) throw error;
  console.error(`local: ${error.message}`);
  process.exit(2);
}
