import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { stackName } from '../../../constructs/config';
import { imageRepositoryName } from '../../../constructs/image-repository';
import { ENVIRONMENTS } from '../../../environments';
import { OperatorError } from '../operator-error';

/** The moto release the rehearsal is written against (its quirks list, its added calls). */
const MOTO_VERSION = '5.2.1';

/** An AWS emulator: every service at `endpoint`; `stop()` leaves one given by EMULATOR_ENDPOINT running. */
export type Emulator = { endpoint: string; stop(): Promise<void> };

const SERVER_SCRIPT = fileURLToPath(new URL('./moto-server.py', import.meta.url));
const START_TIMEOUT_S = 30;

/** Credentials the emulator accepts (it checks none); set so no real ones are ever picked up. */
export const EMULATOR_CREDENTIALS = { accessKeyId: 'test', secretAccessKey: 'test' } as const;

/** The environment an AWS SDK or CLI needs to talk to the emulator instead of AWS. */
export function emulatorEnvironment(endpoint: string, region: string): Record<string, string> {
  return {
    AWS_ENDPOINT_URL: endpoint,
    AWS_REGION: region,
    AWS_ACCESS_KEY_ID: EMULATOR_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: EMULATOR_CREDENTIALS.secretAccessKey,
    AWS_EC2_METADATA_DISABLED: 'true',
  };
}

/**
 * Uses the emulator at `EMULATOR_ENDPOINT` when set, otherwise starts moto's server (with the calls
 * moto-server.py adds) on a free loopback port and stops it with `stop()`.
 */
export async function startEmulator(env: NodeJS.ProcessEnv = process.env): Promise<Emulator> {
  const given = env.EMULATOR_ENDPOINT;
  if (given) {
    requireLoopbackUrl(given);
    return { endpoint: given.replace(/\/$/, ''), stop: async () => {} };
  }
  requireMoto();
  const child = spawn('python3', [SERVER_SCRIPT, '127.0.0.1'], {
    // Without the managed policies moto does not know AmazonECSTaskExecutionRolePolicy and friends.
    env: { ...env, MOTO_IAM_LOAD_MANAGED_POLICIES: 'true', PYTHONUNBUFFERED: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const port = await readPort(child);
  return { endpoint: `http://127.0.0.1:${port}`, stop: () => stopChild(child) };
}

function requireLoopbackUrl(value: string): void {
  const given = `EMULATOR_ENDPOINT is '${value}'`;
  if (!URL.canParse(value)) throw new OperatorError(`${given}: expected a URL such as http://127.0.0.1:5000`);
  if (!/^(127\.|localhost$|\[::1\]$)/.test(new URL(value).hostname))
    throw new OperatorError(`${given}: the emulator must be on this machine (a loopback address)`);
}

/** Fails with what to install when python3 or moto is missing, or moto is not the version the quirks list is for. */
function requireMoto(): void {
  const script = 'import moto, flask, werkzeug; print(moto.__version__)';
  const probe = spawnSync('python3', ['-c', script], { encoding: 'utf8' });
  if (probe.error)
    throw new OperatorError(`python3 is missing: the emulator is moto ${MOTO_VERSION}, a Python package`);
  const install = `pip install 'moto[server]==${MOTO_VERSION}'`;
  const lastError = probe.stderr.trim().split('\n').at(-1);
  if (probe.status !== 0) throw new OperatorError(`moto's server is missing: ${install} (${lastError})`);
  const version = probe.stdout.trim();
  if (version !== MOTO_VERSION)
    throw new OperatorError(`moto is ${version}; the rehearsal is written for ${MOTO_VERSION}: ${install}`);
}

/** The port moto-server.py prints once it listens; an OperatorError with its stderr's tail if it exits first. */
function readPort(child: ChildProcess): Promise<number> {
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    // Keep only the tail: moto logs one line per request.
    stderr = (stderr + chunk).slice(-4000);
  });
  const port = new Promise<number>((resolve, reject) => {
    let stdout = '';
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      const line = stdout.split('\n').find((candidate) => candidate.startsWith('{"port"'));
      if (line) resolve((JSON.parse(line) as { port: number }).port);
    });
    child.once('exit', (code) => {
      reject(new OperatorError(`the emulator exited (code ${code}) before it listened:\n${stderr.trim()}`));
    });
    const timedOut = new OperatorError(`the emulator did not listen within ${START_TIMEOUT_S} s`);
    setTimeout(() => reject(timedOut), START_TIMEOUT_S * 1000).unref();
  });
  return port.catch((error) => {
    child.kill('SIGKILL');
    throw error;
  });
}

/** SIGTERM, then SIGKILL after 3 s: moto holds no state worth a graceful stop. */
export async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 3_000);
  await exited;
  clearTimeout(timer);
}

/**
 * Makes the emulator's image repository (when `create`: the bootstrap stack's job) and puts an image
 * manifest tagged `tag` in it (when given), as a push would: an app stack reads its repository and tag
 * from the registry at plan time. The emulator keeps no layers.
 */
export async function pushEmulatorImage(
  endpoint: string,
  stack: string,
  image: { readonly tag?: string; readonly create?: boolean },
): Promise<void> {
  const environment = ENVIRONMENTS.find((candidate) => stackName(candidate) === stack);
  if (!environment) throw new OperatorError(`${stack} is not an environment's stack (environments.ts)`);
  const { ECRClient, CreateRepositoryCommand, PutImageCommand } = await import('@aws-sdk/client-ecr');
  const repositoryName = imageRepositoryName(environment.name);
  const ecr = new ECRClient({ endpoint, region: environment.region, credentials: EMULATOR_CREDENTIALS });
  try {
    if (image.create) {
      await ecr.send(new CreateRepositoryCommand({ repositoryName })).catch((error: Error) => {
        if (error.name !== 'RepositoryAlreadyExistsException') throw error;
      });
    }
    if (!image.tag) return;
    const imageManifest = JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
      config: {
        mediaType: 'application/vnd.docker.container.image.v1+json',
        size: 2,
        digest: `sha256:${'0'.repeat(64)}`,
      },
      layers: [],
    });
    await ecr.send(new PutImageCommand({ repositoryName, imageTag: image.tag, imageManifest }));
  } finally {
    ecr.destroy();
  }
}
