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
  test('a service killed with SIGKILL is reported down, started again and reported up', async () => {
    const events: string[] = [];
    const supervisor = await supervise({
      start: startSleeper,
      onDown: ({ signal }) => {
        events.push(`down ${signal}`);
      },
      onUp: () => {
        events.push('up');
      },
      onGiveUp: (reason) => events.push(`gave up: ${reason}`),
    });
    const first = supervisor.current();
    first.kill('SIGKILL');
    await vi.waitFor(() => expect(events).toEqual(['down SIGKILL', 'up']));
    const second = supervisor.current();
    expect(second.pid).not.toBe(first.pid);
    expect(second.exitCode).toBeNull();
    // Stopped on purpose: no restart.
    (await supervisor.stop()).kill('SIGTERM');
    await once(second, 'exit');
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(events).toEqual(['down SIGKILL', 'up']);
  });

  test('a service that keeps dying is given up on, with the reason', async () => {
    const reasons: string[] = [];
    const supervisor = await supervise({
      start: startSleeper,
      onDown: () => {},
      onUp: () => {},
      onGiveUp: (reason) => reasons.push(reason),
      maxRestarts: 2,
      windowMs: 60_000,
    });
    for (let kill = 0; kill < 3; kill++) {
      const current = supervisor.current();
      current.kill('SIGKILL');
      await once(current, 'exit');
      await vi.waitFor(() => expect(kill === 2 || supervisor.current() !== current).toBe(true));
    }
    await vi.waitFor(() => expect(reasons).toEqual(['it exited 3 times within 60 s']));
  });
});
