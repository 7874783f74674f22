import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { smokeCli } from '../../scripts/smoke/cli';
import { smokeFixture } from './fake-cognito';
import { cognitoClientFor, startLocalPetService, startStackStandIns } from './local-stack';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

let service: Awaited<ReturnType<typeof startLocalPetService>>;
let standIns: Awaited<ReturnType<typeof startStackStandIns>> | undefined;
let workDir: string;

beforeAll(async () => {
  service = await startLocalPetService();
});

afterAll(async () => {
  await service?.close();
});

beforeEach(() => {
  workDir = mkdtempSync(path.join(tmpdir(), 'smoke-cli-'));
});

afterEach(async () => {
  await standIns?.close();
  standIns = undefined;
  rmSync(workDir, { recursive: true, force: true });
});

/** The recorded `terraform output -json`, with `pets_url` at the given URL and edits applied. */
function outputsFile(petsUrl: string, edit: (outputs: Record<string, unknown>) => void = () => {}): string {
  const outputs = smokeFixture('terraform-output.json');
  outputs.pets_url = { sensitive: false, type: 'string', value: petsUrl };
  edit(outputs);
  const file = path.join(workDir, 'outputs.json');
  writeFileSync(file, JSON.stringify(outputs));
  return file;
}

/** Runs the CLI in-process against the fake Cognito (if started); returns its exit code and output. */
async function runCli(args: string[], cognitoEndpoint = 'http://127.0.0.1:1') {
  const printed: string[] = [];
  const errors: string[] = [];
  const regions: string[] = [];
  const endpoints: (string | undefined)[] = [];
  vi.spyOn(console, 'log').mockImplementation((line: string) => printed.push(line));
  vi.spyOn(console, 'error').mockImplementation((line: string) => errors.push(line));
  try {
    const code = await smokeCli(
      args,
      (region, endpoint) => {
        regions.push(region);
        endpoints.push(endpoint);
        return cognitoClientFor(endpoint ?? cognitoEndpoint, region);
      },
      path.join(workDir, 'cdktf.out'),
    );
    return { code, printed, errors, regions, endpoints };
  } finally {
    vi.restoreAllMocks();
  }
}

describe('npm run smoke', () => {
  it('with --session of npm run local, goes through its gateway and signs in at its emulator', async () => {
    standIns = await startStackStandIns(service.url);
    const outputs = Object.fromEntries(
      Object.entries(smokeFixture('terraform-output.json')).map(([name, output]) => [
        name,
        (output as { value: unknown }).value,
      ]),
    );
    const gateway = standIns.petsUrl.replace(/\/petstore\/pets$/, '');
    const session = path.join(workDir, 'session.json');
    writeFileSync(
      session,
      JSON.stringify({ gateway, emulator: standIns.cognito.endpoint, stack: 'petstore-dev', outputs }),
    );

    const { code, printed, errors, endpoints } = await runCli(['--session', session]);

    expect(errors).toEqual([]);
    expect(code).toBe(0);
    expect(endpoints).toEqual([standIns.cognito.endpoint]);
    expect(printed[0]).toBe(`Smoke test of petstore-dev at ${gateway}/petstore/pets`);
    expect(printed.at(-1)).toBe('Smoke test of petstore-dev passed (10 steps).');
  });

  it('refuses --session beside --stack or --outputs-file', async () => {
    const { code, errors } = await runCli(['--session', 'x.json', '--stack', 'petstore-dev']);
    expect(code).toBe(1);
    expect(errors[0]).toMatch(/^smoke: --session names the stack and its outputs: give it alone/);
  });

  it('says a session file is not one when it lacks the gateway', async () => {
    const session = path.join(workDir, 'session.json');
    writeFileSync(session, JSON.stringify({ stack: 'petstore-dev', outputs: {} }));
    const { code, errors } = await runCli(['--session', session]);
    expect(code).toBe(1);
    expect(errors).toEqual([`smoke: --session ${session} is not a session file of npm run local`]);
  });

  it('passes against a working stack: one ✓ line per step with status and time, exit 0', async () => {
    standIns = await startStackStandIns(service.url);
    const file = outputsFile(standIns.petsUrl);

    const { code, printed, errors, regions } = await runCli(
      ['--stack', 'petstore-dev', '--outputs-file', file],
      standIns.cognito.endpoint,
    );

    expect(errors).toEqual([]);
    expect(code).toBe(0);
    expect(regions).toEqual(['us-east-1']);
    expect(printed[0]).toBe(`Smoke test of petstore-dev at ${standIns.petsUrl}`);
    const stepLines = printed.slice(1, -1);
    expect(stepLines).toHaveLength(10);
    for (const line of stepLines) expect(line).toMatch(/^✓ .+: .+ \(\d+ ms\)$/);
    expect(stepLines[3]).toMatch(/^✓ GET \/petstore\/pets\/smoke-\S+ without a token → 404: 404 \(\d+ ms\)$/);
    expect(printed.at(-1)).toBe('Smoke test of petstore-dev passed (10 steps).');
    expect(standIns.cognito.operations().at(-1)).toBe('AdminDeleteUser');
  });

  it('checks the execute-api address of a stack with a custom domain, from its `execute_api_endpoint` output', async () => {
    standIns = await startStackStandIns(service.url);
    // Nothing listens there: a stack whose execute-api address answers nothing fails that step.
    const file = outputsFile(standIns.petsUrl, (outputs) => {
      outputs.execute_api_endpoint = { sensitive: false, type: 'string', value: 'http://127.0.0.1:1' };
    });

    const { code, errors } = await runCli(
      ['--stack', 'petstore-dev', '--outputs-file', file],
      standIns.cognito.endpoint,
    );

    expect(code).toBe(1);
    expect(errors[1]).toMatch(
      /^ {2}GET http:\/\/127\.0\.0\.1:1\/petstore\/pets → 403 \(turned off by the custom domain\): no response: /,
    );
    expect(standIns.cognito.operations()).toEqual([]);
  });

  it('exits 1 naming the failed expectation when the gateway lets an unauthenticated write through', async () => {
    standIns = await startStackStandIns(service.url, { gateway: { letUnauthenticatedWritesThrough: true } });
    const file = outputsFile(standIns.petsUrl);

    const { code, printed, errors } = await runCli(
      ['--stack', 'petstore-dev', '--outputs-file', file],
      standIns.cognito.endpoint,
    );

    expect(code).toBe(1);
    expect(printed.filter((line) => line.startsWith('✗'))).toHaveLength(1);
    expect(errors[0]).toBe('Smoke test of petstore-dev FAILED:');
    expect(errors.slice(1)).toHaveLength(1);
    expect(errors[1]).toMatch(
      /^ {2}POST \/petstore\/pets\/smoke-\S+ without a token → 401: expected 401, got 201 \(body: /,
    );
    // It cleaned up after the failure.
    expect(printed.filter((line) => line.startsWith('✓ cleanup:'))).toHaveLength(2);
  });

  it.each([
    [[], 'smoke: --stack <name> is required: one of petstore-dev, petstore-prod'],
    [
      ['--stack', 'petstore-qa'],
      "smoke: unknown stack 'petstore-qa': expected one of petstore-dev, petstore-prod",
    ],
  ])('refuses %j: %s', async (args, message) => {
    const { code, errors, regions } = await runCli(args);
    expect(code).toBe(1);
    expect(errors).toEqual([message]);
    expect(regions).toEqual([]);
  });

  it('refuses an unknown option with the usage', async () => {
    const { code, errors } = await runCli(['--stack', 'petstore-dev', '--output-file', 'x.json']);
    expect(code).toBe(1);
    expect(errors[0]).toMatch(/^smoke: Unknown option '--output-file'/);
    expect(errors[0]).toContain('usage: npm run smoke -- --stack <name> [--outputs-file');
  });

  it('names every output the file lacks', async () => {
    const file = outputsFile('https://api.example/petstore/pets', (outputs) => {
      delete outputs.smoke_test_client_id;
      outputs.region = { sensitive: false, type: 'string', value: '' };
    });
    const { code, errors, regions } = await runCli(['--stack', 'petstore-dev', '--outputs-file', file]);
    expect(code).toBe(1);
    expect(errors).toEqual([
      `smoke: ${file} lacks smoke_test_client_id, region (a non-empty string each): deploy the stack from the current code`,
    ]);
    expect(regions).toEqual([]);
  });

  it('refuses an outputs file that is not `terraform output -json`', async () => {
    const file = path.join(workDir, 'outputs.json');
    writeFileSync(file, JSON.stringify({ pets_url: 'https://api.example/petstore/pets' }));
    const { code, errors } = await runCli(['--stack', 'petstore-dev', '--outputs-file', file]);
    expect(code).toBe(1);
    expect(errors).toEqual([
      `smoke: ${file}: output 'pets_url' has no "value"; expected \`terraform output -json\``,
    ]);
  });

  it('says what to do when the stack was never synthesized here and no outputs file is given', async () => {
    const { code, errors } = await runCli(['--stack', 'petstore-prod']);
    expect(code).toBe(1);
    expect(errors).toEqual([
      `smoke: ${path.join(workDir, 'cdktf.out')}/ has no synthesized petstore-prod: deploy it from this checkout (npm run deploy -- petstore-prod), or pass --outputs-file`,
    ]);
  });

  it('exits 1 with the message on stderr when run as the npm script', () => {
    const result = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/smoke/cli.ts', '--stack', 'qa'], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    expect(result.status).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain("smoke: unknown stack 'qa': expected one of petstore-dev, petstore-prod");
  });
});
