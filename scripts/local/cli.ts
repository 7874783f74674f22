/**
 * `npm run local [-- --stack petstore-dev] [--skip-build]`: the whole design on this machine.
 * The stack, synthesized for an AWS emulator (as `EMULATOR_ENDPOINT` makes main.ts do), is applied to it; the pet service runs as the image runs it (`app/dist/server.js`)
 * on the table Terraform created, registered in the stack's Cloud Map service as ECS registers a task; a
 * local gateway serves the HTTP API as deployed. Prints one JSON line when ready, then runs until SIGINT
 * or SIGTERM and cleans up.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { ApiGatewayV2Client } from '@aws-sdk/client-apigatewayv2';
import {
  RegisterInstanceCommand,
  ServiceDiscoveryClient,
  UpdateInstanceCustomHealthStatusCommand,
} from '@aws-sdk/client-servicediscovery';
import {
  EMULATOR_CREDENTIALS,
  type Emulator,
  emulatorEnvironment,
  pushEmulatorImage,
  startEmulator,
  stopChild,
} from '../lib/emulator';
import { EmulatorWorkspace, synthForEmulator, TerraformStepError } from '../lib/emulator/workspace';
import { OperatorError } from '../lib/operator-error';
import { findProviderMirror, requireTerraform, terraformEnvironment } from '../lib/terraform';
import { CloudMapResolver, cloudMapServiceId } from './cloud-map';
import { type Gateway, startGateway } from './gateway';
import { loadHttpApi } from './http-api';
import { JwtAuthorizers } from './jwt-authorizer';
import { type Supervisor, supervise } from './supervisor';

const USAGE = 'usage: npm run local [-- --stack <name>] [--skip-build]  (PORT: the gateway, 8080)';

/** The outputs `npm run local` needs from the stack. */
const REQUIRED_OUTPUTS = [
  'api_endpoint',
  'table_name',
  'region',
  'user_pool_id',
  'user_pool_client_id',
] as const;

function parseOptions(args: string[]) {
  try {
    const { values } = parseArgs({
      args,
      options: {
        stack: { type: 'string', default: 'petstore-dev' },
        'skip-build': { type: 'boolean', default: false },
      },
    });
    return { stack: values.stack, skipBuild: values['skip-build'] };
  } catch (error) {
    throw new OperatorError(`${(error as Error).message}\n${USAGE}`);
  }
}

function gatewayPort(env: NodeJS.ProcessEnv): number {
  const value = env.PORT ?? '8080';
  const port = Number(value);
  if (!/^\d+$/.test(value) || port > 65535) {
    throw new OperatorError(`PORT is '${value}': expected a TCP port from 0 (any free one) to 65535`);
  }
  return port;
}

/** Runs an npm script in the foreground; its output goes to stderr so stdout keeps only the JSON line. */
function npmRun(script: string): void {
  const result = spawnSync('npm', ['run', '--silent', script], {
    stdio: ['ignore', 2, 2],
    env: { ...process.env, CHECKPOINT_DISABLE: '1' },
  });
  if (result.status !== 0) throw new OperatorError(`npm run ${script} failed`);
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Starts the built service and waits until its health check answers. */
async function startService(env: NodeJS.ProcessEnv, port: number): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['app/dist/server.js'], {
    env: { ...env, PORT: String(port), HOST: '127.0.0.1' },
    // Its request log lines go to our stderr, where a person watching sees them.
    stdio: ['ignore', 2, 2],
  });
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null)
      throw new OperatorError(`the pet service exited with code ${child.exitCode}`);
    try {
      const response = await fetch(`http://127.0.0.1:${port}/health`);
      if (response.ok) return child;
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  child.kill('SIGKILL');
  throw new OperatorError('the pet service did not become healthy within 15 s');
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const port = gatewayPort(process.env);
  requireTerraform();
  const mirror = findProviderMirror();
  const workRoot = mkdtempSync(path.join(tmpdir(), 'petstore-local-'));
  let emulator: Emulator | undefined;
  let service: Supervisor | undefined;
  let gateway: Gateway | undefined;
  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      await gateway?.close();
      if (service) await stopChild(await service.stop());
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
    if (!options.skipBuild) npmRun('build');
    emulator = await startEmulator();
    const stacks = synthForEmulator(path.join(workRoot, 'cdktf.out'), {
      endpoint: emulator.endpoint,
      mirror,
    });
    const stack = stacks.find((candidate) => candidate.name === options.stack);
    if (!stack) {
      const known = stacks.map((candidate) => candidate.name);
      throw new OperatorError(`unknown stack '${options.stack}': expected one of ${known.join(', ')}`);
    }
    // The repository is the bootstrap stack's; the service runs from app/dist here, not from an image.
    await pushEmulatorImage(emulator.endpoint, stack.name, { create: true });
    const workspace = EmulatorWorkspace.ofStack(stack, workRoot, {
      ...process.env,
      ...terraformEnvironment(workRoot, mirror),
      TF_VAR_require_pushed_image: 'false',
    });
    console.error(`local: applying ${stack.name} to the emulator at ${emulator.endpoint}`);
    await workspace.init();
    await workspace.apply('apply', []);
    const outputsText = await workspace.outputs();
    writeFileSync(path.join(workRoot, 'outputs.json'), outputsText);
    const outputs = Object.fromEntries(
      Object.entries(JSON.parse(outputsText) as Record<string, { value: unknown }>).map(([name, output]) => [
        name,
        output.value,
      ]),
    ) as Record<string, string>;
    for (const name of REQUIRED_OUTPUTS) {
      if (typeof outputs[name] !== 'string')
        throw new OperatorError(`stack ${stack.name} has no output ${name}`);
    }
    const region = outputs.region as string;
    const awsClientConfig = { region, endpoint: emulator.endpoint, credentials: EMULATOR_CREDENTIALS };

    const apiId = new URL(outputs.api_endpoint as string).hostname.split('.')[0] as string;
    const api = await loadHttpApi(new ApiGatewayV2Client(awsClientConfig), apiId);
    // DiscoverInstances goes to `data-<endpoint>` unless told otherwise; the emulator has one endpoint.
    const cloudMap = new ServiceDiscoveryClient({ ...awsClientConfig, disableHostPrefix: true });
    const serviceArns = [
      ...new Set([...api.integrations.values()].map((integration) => integration.integrationUri)),
    ];

    const servicePort = await freePort();
    const instanceId = `local-${servicePort}`;
    const reportHealth = async (status: 'HEALTHY' | 'UNHEALTHY') => {
      for (const serviceArn of serviceArns) {
        await cloudMap.send(
          new UpdateInstanceCustomHealthStatusCommand({
            ServiceId: cloudMapServiceId(serviceArn),
            InstanceId: instanceId,
            Status: status,
          }),
        );
      }
    };
    const serviceEnvironment = {
      ...process.env,
      ...emulatorEnvironment(emulator.endpoint, region),
      TABLE_NAME: outputs.table_name,
      DYNAMODB_ENDPOINT: emulator.endpoint,
      // Nothing lags behind this gateway's Cloud Map view at shutdown: stop at once.
      PRE_STOP_DELAY_SECONDS: '0',
    };
    // As ECS keeps a service's task running: a service that dies is reported unhealthy (so the gateway
    // answers 503, as API Gateway does with no healthy task), started again and reported healthy.
    service = await supervise({
      start: () => startService(serviceEnvironment, servicePort),
      onDown: async ({ code, signal }) => {
        console.error(`local: the pet service exited (${signal ?? `code ${code}`}); restarting it`);
        await reportHealth('UNHEALTHY');
      },
      onUp: async () => {
        await reportHealth('HEALTHY');
        console.error('local: the pet service is serving again');
      },
      onGiveUp: (reason) => {
        console.error(`local: the pet service keeps stopping (${reason}); stopping`);
        stop().then(() => process.exit(1));
      },
    });
    // As ECS does for a task of a service with service discovery: register its IP and port, report it healthy.
    for (const serviceArn of serviceArns) {
      await cloudMap.send(
        new RegisterInstanceCommand({
          ServiceId: cloudMapServiceId(serviceArn),
          InstanceId: instanceId,
          Attributes: { AWS_INSTANCE_IPV4: '127.0.0.1', AWS_INSTANCE_PORT: String(servicePort) },
        }),
      );
    }
    await reportHealth('HEALTHY');

    const emulatorEndpoint = emulator.endpoint;
    const resolver = new CloudMapResolver(cloudMap);
    gateway = await startGateway({
      api,
      // Cognito serves a pool's keys at <issuer>/.well-known/jwks.json; the emulator at <endpoint>/<pool id>/….
      authorizers: new JwtAuthorizers(
        (issuer) => new URL(`${emulatorEndpoint}/${new URL(issuer).pathname.slice(1)}/.well-known/jwks.json`),
      ),
      endpoints: (serviceArn) => resolver.endpoints(serviceArn),
      port,
    }).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'EADDRINUSE') {
        throw new OperatorError(`port ${port} is in use: set PORT to a free one (PORT=0 picks any)`);
      }
      throw error;
    });
    const session = { gateway: gateway.url, emulator: emulator.endpoint, stack: stack.name, outputs };
    const sessionFile = path.join(workRoot, 'session.json');
    writeFileSync(sessionFile, `${JSON.stringify(session, null, 2)}\n`);
    console.error(
      [
        `local: ready. Get a token for a test user, then write a pet:`,
        `  TOKEN=$(npm run --silent local:token -- --session ${sessionFile})`,
        `  curl -s -XPOST ${gateway.url}/petstore/pets/rex -H "authorization: Bearer $TOKEN" -H 'content-type: application/json' -d '{"name":"Rex"}'`,
        `Smoke test through the gateway:`,
        `  npm run smoke -- --session ${sessionFile}`,
        `Stop with Ctrl-C.`,
      ].join('\n'),
    );
    console.log(JSON.stringify(session));
  } catch (error) {
    await stop();
    throw error;
  }
}

try {
  await main();
} catch (error) {
  if (error instanceof OperatorError || error instanceof TerraformStepError) {
    console.error(`local: ${error.message}`);
    process.exit(2);
  }
  throw error;
}
