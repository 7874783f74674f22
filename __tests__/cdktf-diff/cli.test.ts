import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** Runs `npm run diff -- <args>`'s script with a stand-in for the Node that runs the cdktf CLI: it records its arguments. */
function runDiff(args: string[], env: NodeJS.ProcessEnv = { IMAGE_TAG: 'abc123' }) {
  const directory = mkdtempSync(path.join(os.tmpdir(), 'fake-node-'));
  const log = path.join(directory, 'args.json');
  const fakeNode = path.join(directory, 'node');
  writeFileSync(
    fakeNode,
    `#!${process.execPath}\nrequire('node:fs').writeFileSync(${JSON.stringify(log)}, JSON.stringify({ args: process.argv.slice(2), checkpoint: process.env.CHECKPOINT_DISABLE }));\n`,
  );
  chmodSync(fakeNode, 0o755);
  try {
    const result = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/cdktf-diff/cli.ts', ...args], {
      encoding: 'utf8',
      env: { ...process.env, IMAGE_TAG: '', npm_node_execpath: fakeNode, ...env },
    });
    let cdktf: { args: string[]; checkpoint: string } | undefined;
    try {
      cdktf = JSON.parse(readFileSync(log, 'utf8'));
    } catch {
      cdktf = undefined;
    }
    return { status: result.status, stderr: result.stderr, cdktf };
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}

describe('npm run diff (scripts/cdktf-diff/cli.ts)', () => {
  test('refuses two stacks instead of quietly diffing the first', () => {
    const { status, stderr, cdktf } = runDiff(['petstore-dev', 'petstore-prod']);
    expect(stderr).toContain(
      'diff: diff takes one stack, got 2 (petstore-dev, petstore-prod); cdktf would diff only the first',
    );
    expect(status).toBe(2);
    expect(cdktf).toBeUndefined();
  });

  test.each([
    [[], 'diff: name the stack to diff'],
    [['petstore-*'], "diff: diff takes one stack by name, not a pattern ('petstore-*')"],
  ])('refuses %o', (args, message) => {
    const { status, stderr, cdktf } = runDiff(args);
    expect(stderr).toContain(message);
    expect(status).toBe(2);
    expect(cdktf).toBeUndefined();
  });

  test('without IMAGE_TAG, stops before the cdktf CLI, saying how to get a tag', () => {
    const { status, stderr, cdktf } = runDiff(['petstore-dev'], {});
    expect(stderr.trim()).toBe(
      'diff: `IMAGE_TAG` is unset; `npm run diff` needs the tag of a pushed image: run `npm run image:push -- --stack <stack>`, then the `IMAGE_TAG=<tag> npm run diff -- <stack>` it prints.',
    );
    expect(status).toBe(2);
    expect(cdktf).toBeUndefined();
  });

  test('deploy and destroy are npm scripts like diff, all with the checkpoint off', () => {
    const { scripts } = JSON.parse(readFileSync('package.json', 'utf8')) as {
      scripts: Record<string, string>;
    };
    for (const name of ['deploy', 'diff', 'destroy']) expect(scripts[name]).toMatch(/^CHECKPOINT_DISABLE=1 /);
    expect(scripts.destroy).toContain('cdktf destroy');
  });

  test("runs cdktf diff of the one stack, passing options (and their values) through, on npm's Node", () => {
    const { status, cdktf } = runDiff(['petstore-dev', '--var', 'x=1', '--skip-synth']);
    expect(cdktf).toEqual({
      args: [
        'node_modules/cdktf-cli/bundle/bin/cdktf',
        'diff',
        'petstore-dev',
        '--var',
        'x=1',
        '--skip-synth',
      ],
      checkpoint: '1',
    });
    expect(status).toBe(0);
  });
});
