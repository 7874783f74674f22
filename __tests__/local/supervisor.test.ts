import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { supervise } from '../../scripts/local/supervisor';

// Real processes: a child that runs until killed, as the pet service does.
const started: ChildProcess[] = [];
function startSleeper(): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
  started.push(child);
  return once(child, 'spawn').then(() => child);
}
afterEach(() => {
  for (const child of started.splice(0)) child.kill('SIGKILL');
});

describe('supervise (npm run local keeps its service running)', () => {
  test('a service killed with SIGKILL is started again; once stopped, it is not', async () => {
    const reasons: string[] = [];
    const supervisor = await supervise(startSleeper, (reason) => reasons.push(reason));
    const first = supervisor.current();
    first.kill('SIGKILL');
    await vi.waitFor(() => expect(started).toHaveLength(2));
    const second = await supervisor.stop();
    expect(second).toBe(started[1]);
    expect(second.exitCode).toBeNull();
    // Stopped on purpose: no restart.
    second.kill('SIGTERM');
    await once(second, 'exit');
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(started).toHaveLength(2);
    expect(reasons).toEqual([]);
  });

  test('a service that keeps dying is given up on, with the reason', async () => {
    const reasons: string[] = [];
    const supervisor = await supervise(startSleeper, (reason) => reasons.push(reason), 2);
    for (let kill = 0; kill < 3; kill++) {
      const current = supervisor.current();
      current.kill('SIGKILL');
      await once(current, 'exit');
      await vi.waitFor(() => expect(kill === 2 || supervisor.current() !== current).toBe(true));
    }
    await vi.waitFor(() => expect(reasons).toEqual(['it exited 3 times within 60 s']));
    expect(started).toHaveLength(3);
  });

  test('a service that cannot be started again is given up on, with the reason', async () => {
    const reasons: string[] = [];
    let starts = 0;
    const start = () => (starts++ === 0 ? startSleeper() : Promise.reject(new Error('port in use')));
    const supervisor = await supervise(start, (reason) => reasons.push(reason));
    supervisor.current().kill('SIGKILL');
    await vi.waitFor(() => expect(reasons).toEqual(['it could not be started again: port in use']));
  });
});
