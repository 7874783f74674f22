import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const projectRoot = new URL('../../', import.meta.url).pathname;

// The real provider from this machine's mirror, as the rehearsal and `npm run validate` start it.
describe('startProvider (scripts/lib/terraform.ts)', () => {
  test('serves Terraform at the address it prints, and neither outlives nor holds up the process that started it', async () => {
    const script = `
      import { findProviderMirror, startProvider } from './scripts/lib/terraform.ts';
      const provider = await startProvider(findProviderMirror(), process.cwd());
      console.log(provider.env.TF_REATTACH_PROVIDERS);`;
    // Resolves only once the script has exited: the running provider must not keep it alive.
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', '--input-type=module', '--eval', script],
      { cwd: projectRoot, timeout: 30_000 },
    );
    const reattach = JSON.parse(stdout)['registry.terraform.io/hashicorp/aws'];
    expect(reattach).toMatchObject({ Protocol: 'grpc', Addr: { Network: 'unix' } });
    // Gone with it: signal 0 to a process that no longer exists throws.
    await vi.waitFor(() => expect(() => process.kill(reattach.Pid, 0)).toThrow(), { timeout: 5_000 });
  });
});
