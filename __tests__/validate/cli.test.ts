import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CLI } from '../global-setup';

const projectRoot = fileURLToPath(new URL('../../', import.meta.url));
const fixtures = path.join(projectRoot, '__tests__/fixtures/validate');
const schemaPath = path.join(fixtures, 'schema.json');
const fixtureOutput = path.join(fixtures, 'synth-output');

/**
 * A synth output holding only `stack` of the fixture's two (`network` is valid, `service` is not): each
 * `terraform validate` loads the whole AWS provider, so each test validates no more than it needs: three
 * runs in all.
 */
function outputWithOnly(stack: 'network' | 'service'): string {
  const directory = mkdtempSync(path.join(os.tmpdir(), `validate-${stack}-`));
  const manifest = JSON.parse(readFileSync(path.join(fixtureOutput, 'manifest.json'), 'utf8'));
  manifest.stacks = { [stack]: { ...manifest.stacks[stack], dependencies: [] } };
  writeFileSync(path.join(directory, 'manifest.json'), JSON.stringify(manifest));
  symlinkSync(path.join(fixtureOutput, 'stacks'), path.join(directory, 'stacks'));
  return directory;
}
const validOutput = outputWithOnly('network');
const serviceOutput = outputWithOnly('service');
afterAll(() => {
  for (const directory of [validOutput, serviceOutput]) rmSync(directory, { recursive: true, force: true });
});

/** The environment minus anything that would change how the CLI validates. */
function baseEnvironment(): NodeJS.ProcessEnv {
  const { TF_PROVIDER_SCHEMA: _schema, ...environment } = process.env;
  return environment;
}

/** Runs the CLI without blocking, so the tests that wait on Terraform run side by side. */
function runValidate(
  outputDirectory: string,
  environment: NodeJS.ProcessEnv = baseEnvironment(),
): Promise<{ status: number | null; lines: string[]; stderr: string }> {
  const args = [CLI.validate, '--skip-synth', '--output', outputDirectory];
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      args,
      { cwd: projectRoot, encoding: 'utf8', env: environment },
      (_error, stdout, stderr) =>
        resolve({ status: child.exitCode, lines: stdout.trim().split('\n'), stderr }),
    );
  });
}

/** `terraform validate with hashicorp/aws <version> from <mirror>`, whatever this machine's mirror is. */
const TERRAFORM = 'terraform validate with hashicorp/aws [\\d.]+ from \\S+';

// The real terraform and the provider mirror, as on every machine this project is checked on.
describe.concurrent('npm run validate (scripts/terraform-validate/cli.ts)', () => {
  test('runs the real terraform validate per stack and checks names against TF_PROVIDER_SCHEMA, one line per problem naming the stack, sorted by place', async () => {
    const { status, lines } = await runValidate(serviceOutput, {
      ...baseEnvironment(),
      TF_PROVIDER_SCHEMA: schemaPath,
    });
    expect(lines).toEqual([
      // Terraform says it too; once is enough.
      'service: resource.aws_apigatewayv2_route.Route.authorisation_type — unsupported argument `authorisation_type`; did you mean `authorization_type`? (schema.json)',
      'service: resource.aws_ecs_service.Api — terraform validate: Incorrect attribute value type: Inappropriate value for attribute "desired_count": a number is required.',
      // Neither tsc nor terraform validate checks these raw strings.
      'service: resource.aws_ecs_service.Api.lifecycle.ignore_changes[0] — `ignore_changes` names `desired_cont`, which is no argument of this resource; did you mean `desired_count`? (schema.json)',
      'service: resource.aws_eip.Nat — warning: terraform validate: Argument is deprecated: vpc is deprecated. Use domain instead.',
      // Provider 5.100 still has it; the pinned 6.25 does not.
      'service: resource.aws_eip.Nat.vpc — unsupported argument `vpc` (schema.json)',
      expect.stringMatching(
        /^service: resource\.aws_vpc\.Main\.region — warning: only the pinned provider has `region` \(schema\.json does; hashicorp\/aws [\d.]+ does not\), so `terraform validate` could not check this block$/,
      ),
      expect.stringMatching(
        new RegExp(`^service: 4 errors, 2 warnings — ${TERRAFORM}; names checked against schema.json$`),
      ),
      expect.stringMatching(/^validate: 4 errors, 2 warnings in 1 stack \(\d+ ms\)$/),
    ]);
    expect(status).toBe(1);
  });

  test('without TF_PROVIDER_SCHEMA, terraform validate alone: an argument only 6.x has is an error it cannot tell from a typo', async () => {
    const { status, lines } = await runValidate(serviceOutput);
    expect(lines).toContain(
      'service: resource.aws_vpc.Main — terraform validate: Extraneous JSON object property: No argument or block type is named "region".',
    );
    expect(lines).toContain(
      'service: resource.aws_apigatewayv2_route.Route — terraform validate: Extraneous JSON object property: No argument or block type is named "authorisation_type". Did you mean "authorization_type"?',
    );
    expect(lines.at(-2)).toMatch(new RegExp(`^service: 3 errors, 1 warning — ${TERRAFORM}$`));
    expect(status).toBe(1);
  });

  test('exits 0 when every stack is valid', async () => {
    const { status, lines } = await runValidate(validOutput, {
      ...baseEnvironment(),
      TF_PROVIDER_SCHEMA: schemaPath,
    });
    expect(lines).toEqual([
      expect.stringMatching(new RegExp(`^network: valid — ${TERRAFORM}; names checked against schema.json$`)),
      expect.stringMatching(/^validate: valid in 1 stack \(\d+ ms\)$/),
    ]);
    expect(status).toBe(0);
  });

  test('a missing synth is one line saying what to do', async () => {
    const { status, stderr } = await runValidate(fixtures);
    expect(stderr.trim()).toMatch(
      /^validate: cannot read .*manifest\.json: .* \(run `npm run synth`, or drop --skip-synth\)$/,
    );
    expect(status).toBe(1);
  });

  test('without terraform on PATH, says what to install', async () => {
    const bin = mkdtempSync(path.join(os.tmpdir(), 'no-terraform-'));
    try {
      const { status, stderr } = await runValidate(validOutput, { ...baseEnvironment(), PATH: bin });
      expect(stderr.trim()).toBe('validate: terraform is not on PATH: install Terraform 1.11 or newer');
      expect(status).toBe(1);
    } finally {
      rmSync(bin, { recursive: true, force: true });
    }
  });
});
