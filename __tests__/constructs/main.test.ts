import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** Runs cdktf.json's app command, which is what `cdktf synth` runs, with `env` added. */
function runApp(env: NodeJS.ProcessEnv) {
  const output = mkdtempSync(path.join(os.tmpdir(), 'synth-app-'));
  try {
    const { app } = JSON.parse(readFileSync('cdktf.json', 'utf8')) as { app: string };
    return spawnSync('bash', ['-c', app], {
      encoding: 'utf8',
      env: { ...process.env, CDKTF_OUTDIR: output, ...env },
    });
  } finally {
    rmSync(output, { recursive: true, force: true });
  }
}

describe('main.ts (the cdktf app command)', () => {
  test('a configuration error prints its message once, without a stack trace into the bundle, and exits 1', () => {
    const result = runApp({ IMAGE_TAG: 'feature/x' });
    expect(result.stderr).toBe(
      "`IMAGE_TAG` is 'feature/x'; expected a Docker tag: letters, digits, _ . - (at most 128).\n",
    );
    expect(result.stdout).toBe('');
    expect(result.status).toBe(1);
  });

  test('an emulator endpoint that is not on this machine is refused, naming the variable', () => {
    const result = runApp({ EMULATOR_ENDPOINT: 'http://10.0.0.1:5000' });
    expect(result.stderr).toBe(
      "`EMULATOR_ENDPOINT` is 'http://10.0.0.1:5000'; expected a loopback URL such as http://127.0.0.1:5000.\n",
    );
    expect(result.status).toBe(1);
  });
});
