import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const projectRoot = fileURLToPath(new URL('../../', import.meta.url));
const fixtures = path.join(projectRoot, '__tests__/fixtures/validate');
const schemaPath = path.join(fixtures, 'schema.json');
const invalidOutput = path.join(fixtures, 'synth-output');
const validOutput = path.join(fixtures, 'synth-output-valid');

/** The environment minus anything that would change how the CLI validates. */
function baseEnvironment(): NodeJS.ProcessEnv {
  const {
    TF_PROVIDER_SCHEMA: _schema,
    TF_VALIDATE_WITH_TERRAFORM: _withTerraform,
    ...environment
  } = process.env;
  return environment;
}

function runValidate(outputDirectory: string, environment: NodeJS.ProcessEnv) {
  const result = spawnSync(
    process.execPath,
    ['--import', 'tsx', 'scripts/validate.ts', '--skip-synth', '--output', outputDirectory],
    { cwd: projectRoot, encoding: 'utf8', env: environment },
  );
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/**
 * A stand-in `terraform` on an otherwise empty PATH: it logs each command with its directory, creates
 * .terraform on init (or fails, like init without registry access), and prints the given validate JSON.
 */
function fakeTerraform(options: { initFails?: boolean; validateOutput?: object } = {}) {
  const directory = mkdtempSync(path.join(os.tmpdir(), 'fake-terraform-'));
  const log = path.join(directory, 'calls.log');
  const script = `#!${process.execPath}
const fs = require('node:fs');
const command = process.argv[2];
fs.appendFileSync(${JSON.stringify(log)}, command + ' ' + process.cwd() + '\\n');
if (command === 'init') {
  if (${Boolean(options.initFails)}) {
    console.error('Error: Failed to query available provider packages');
    process.exit(1);
  }
  fs.mkdirSync('.terraform', { recursive: true });
} else if (command === 'validate') {
  process.stdout.write(${JSON.stringify(JSON.stringify(options.validateOutput ?? {}))});
}
`;
  writeFileSync(path.join(directory, 'terraform'), script);
  chmodSync(path.join(directory, 'terraform'), 0o755);
  return {
    environment: { ...baseEnvironment(), PATH: directory },
    calls: () => (existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n') : []),
    remove: () => rmSync(directory, { recursive: true, force: true }),
  };
}

describe('npm run validate (scripts/validate.ts)', () => {
  it('validates every stack offline against TF_PROVIDER_SCHEMA, printing each problem with its path, and exits 1', () => {
    const { status, stdout } = runValidate(invalidOutput, {
      ...baseEnvironment(),
      TF_PROVIDER_SCHEMA: schemaPath,
    });
    expect(status).toBe(1);
    expect(stdout.trim().split('\n')).toEqual([
      'network: valid — checked 1 resource and 0 data sources against schema.json',
      'service: resource.aws_apigatewayv2_route.Route.authorisation_type — unsupported argument `authorisation_type`; did you mean `authorization_type`?',
      'service: resource.aws_ecs_service.Api.desired_count — expected a number, got string "two"',
      'service: 2 errors, 0 warnings — checked 2 resources and 0 data sources against schema.json',
      expect.stringMatching(/^validate: 2 errors, 0 warnings in 2 stacks \(\d+ ms\)$/),
    ]);
  });

  it('exits 0 when every stack is valid', () => {
    const { status, stdout } = runValidate(validOutput, {
      ...baseEnvironment(),
      TF_PROVIDER_SCHEMA: schemaPath,
    });
    expect(stdout).toContain('network: valid');
    expect(status).toBe(0);
  });

  it('fails clearly when the cdktf output has no manifest', () => {
    const { status, stderr } = runValidate(fixtures, {
      ...baseEnvironment(),
      TF_PROVIDER_SCHEMA: schemaPath,
    });
    expect(status).toBe(1);
    expect(stderr).toContain('validate: cannot read');
    expect(stderr).toContain('manifest.json');
  });

  it('without TF_PROVIDER_SCHEMA and without terraform, explains how to validate offline', () => {
    const emptyPath = mkdtempSync(path.join(os.tmpdir(), 'no-terraform-'));
    try {
      const { status, stderr } = runValidate(validOutput, { ...baseEnvironment(), PATH: emptyPath });
      expect(status).toBe(1);
      expect(stderr).toContain('terraform is not on PATH');
      expect(stderr).toContain('Set TF_PROVIDER_SCHEMA to a provider schema file');
      expect(stderr).toContain('terraform providers schema -json');
    } finally {
      rmSync(emptyPath, { recursive: true, force: true });
    }
  });

  it('without TF_PROVIDER_SCHEMA, when terraform init cannot install providers, says so and how to validate offline', () => {
    const terraform = fakeTerraform({ initFails: true });
    try {
      const { status, stderr } = runValidate(validOutput, terraform.environment);
      expect(status).toBe(1);
      expect(stderr).toContain('`terraform init` could not install the providers');
      expect(stderr).toContain('Failed to query available provider packages');
      expect(stderr).toContain('Set TF_PROVIDER_SCHEMA');
    } finally {
      terraform.remove();
    }
  });

  it('without TF_PROVIDER_SCHEMA, runs terraform init and validate on a copy of each stack and reports its diagnostics', () => {
    const terraform = fakeTerraform({
      validateOutput: {
        valid: false,
        error_count: 1,
        diagnostics: [
          {
            severity: 'error',
            summary: 'Unsupported argument',
            detail: 'An argument named "foo" is not expected here.',
            range: { filename: 'cdk.tf.json', start: { line: 7 } },
          },
        ],
      },
    });
    try {
      const { status, stdout } = runValidate(validOutput, terraform.environment);
      expect(status).toBe(1);
      expect(stdout).toContain(
        'network: cdk.tf.json:7 — terraform error: Unsupported argument: An argument named "foo" is not expected here.',
      );
      const calls = terraform.calls();
      expect(calls.map((call) => call.split(' ')[0])).toEqual(['init', 'validate']);
      const directory = calls[0]?.split(' ')[1] ?? '';
      expect(directory.startsWith(path.join(validOutput, ''))).toBe(false);
      expect(existsSync(directory)).toBe(false);
      expect(existsSync(path.join(validOutput, 'stacks/network/.terraform'))).toBe(false);
    } finally {
      terraform.remove();
    }
  });

  it('with TF_VALIDATE_WITH_TERRAFORM=1 runs terraform validate as well as the offline check', () => {
    const terraform = fakeTerraform({ validateOutput: { valid: true, error_count: 0, diagnostics: [] } });
    try {
      const { status, stdout } = runValidate(validOutput, {
        ...terraform.environment,
        TF_PROVIDER_SCHEMA: schemaPath,
        TF_VALIDATE_WITH_TERRAFORM: '1',
      });
      expect(stdout).toContain('network: valid — checked 1 resource');
      expect(stdout).toContain('network: valid — terraform validate');
      expect(terraform.calls()).toHaveLength(2);
      expect(status).toBe(0);
    } finally {
      terraform.remove();
    }
  });
});
