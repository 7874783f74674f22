import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CLI } from '../global-setup';

const projectRoot = fileURLToPath(new URL('../../', import.meta.url));
const output = mkdtempSync(path.join(os.tmpdir(), 'cost-cli-'));
afterAll(() => rmSync(output, { recursive: true, force: true }));

/** A cdktf output directory of two stacks, each one NAT gateway in its region. */
beforeAll(() => {
  const stacks: Record<string, unknown> = {};
  for (const [name, region] of [
    ['petstore-dev', 'us-east-1'],
    ['petstore-staging', 'eu-west-1'],
  ] as const) {
    mkdirSync(path.join(output, 'stacks', name), { recursive: true });
    const config = { provider: { aws: [{ region }] }, resource: { aws_nat_gateway: { Nat: {} } } };
    writeFileSync(path.join(output, 'stacks', name, 'cdk.tf.json'), JSON.stringify(config));
    stacks[name] = {
      name,
      workingDirectory: `stacks/${name}`,
      synthesizedStackPath: `stacks/${name}/cdk.tf.json`,
    };
  }
  writeFileSync(path.join(output, 'manifest.json'), JSON.stringify({ stacks }));
});

function runCost(...args: string[]) {
  return spawnSync(process.execPath, [CLI.cost, ...args], {
    cwd: projectRoot,
    encoding: 'utf8',
  });
}

describe('npm run cost', () => {
  test("prints a stack's table with the prices' date; a region without prices gets a sentence, no number", () => {
    const result = runCost('--output', output);
    expect(result.status).toBe(0);
    expect(result.stdout).toContain(
      [
        '### petstore-dev (us-east-1, prices read 2026-12-05)',
        '',
        '| Monthly at idle | USD | How |',
        '| --- | ---: | --- |',
        '| NAT gateways | 32.85 | 1 × 730 h × $0.045 |',
        '| **Total** | **32.85** | |',
      ].join('\n'),
    );
    expect(result.stdout).toContain(
      '### petstore-staging (eu-west-1)\n\nNot estimated: no prices for region eu-west-1: scripts/lib/cost/prices.json holds us-east-1 only',
    );
    expect(result.stdout).toContain('- hoursPerMonth = 730: ');
  });

  test('estimates only the stacks named', () => {
    const result = runCost('--output', output, 'petstore-dev');
    expect(result.stdout).toContain('### petstore-dev');
    expect(result.stdout).not.toContain('petstore-staging');
  });

  test('without a synth, says what to run, in one line', () => {
    const result = runCost('--output', path.join(output, 'missing'));
    expect(result.stderr).toBe(
      `cost: no ${path.join(output, 'missing')}/manifest.json: run \`npm run synth\` first\n`,
    );
    expect(result.status).toBe(1);
  });
});
