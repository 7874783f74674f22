import type { ChildProcess } from 'node:child_process';

export type Supervisor = Awaited<ReturnType<typeof supervise>>;

/**
 * Keeps a process running as ECS keeps a service's task: one that exits unasked is started again (by
 * `start`, which resolves once it serves). When it exits more than `maxRestarts` times within a minute,
 * or cannot be started again, restarts stop and `onGiveUp` says why.
 */
export async function supervise(
  start: () => Promise<ChildProcess>,
  onGiveUp: (reason: string) => void,
  maxRestarts = 3,
) {
  let exits: number[] = [];
  let stopped = false;
  let restarting: Promise<void> = Promise.resolve();
  let child = await start();
  const watch = () => {
    child.once('exit', (code, signal) => {
      if (stopped) return;
      exits = [...exits, Date.now()].filter((at) => at > Date.now() - 60_000);
      if (exits.length > maxRestarts) return onGiveUp(`it exited ${exits.length} times within 60 s`);
      console.error(`local: the pet service exited (${signal ?? `code ${code}`}); restarting it`);
      restarting = start().then(
        (next) => {
          child = next;
          if (stopped) return;
          watch();
          console.error('local: the pet service is serving again');
        },
        (error: Error) => onGiveUp(`it could not be started again: ${error.message}`),
      );
    });
  };
  watch();
  return {
    current: () => child,
    /** Stops restarting and returns the process running now, once a restart under way has ended. */
    stop: async () => {
      stopped = true;
      await restarting;
      return child;
    },
  };
}
