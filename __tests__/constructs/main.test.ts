import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

describe('main.ts (the cdktf app command)', () => {
  test('a configuration error prints its message once, without a stack trace into the bundle, and exits 1', () => {
    const output = mkdtempSync(path.join(os.tmpdir(), 'synth-config-error-'));
    try {
      const result = spawnSync('bash', ['scripts/synth/cli.sh', '--output', output], {
        encoding: 'utf8',
        env: { ...process.env, IMAGE_TAG: 'feature/x' },
      });
      expect(result.stderr).toBe(
        "`IMAGE_TAG` is 'feature/x'; expected a Docker tag: letters, digits, _ . - (at most 128).\n",
      );
      expect(result.stdout).toBe('');
      expect(result.status).toBe(1);
    } finally {
      rmSync(output, { recursive: true, force: true });
    }
  });
});
