import type { ChildProcess } from 'node:child_process';

export interface SupervisorOptions {
  /** Starts the process and resolves once it serves (ECS: the task is running and healthy). */
  readonly start: () => Promise<ChildProcess>;
  /** Told when the process died unasked, before a restart: mark it out of service. */
  readonly onDown: (exit: { code: number | null; signal: NodeJS.Signals | null }) => Promise<void> | void;
  /** Told when a restarted process serves again: back in service. */
  readonly onUp: () => Promise<void> | void;
  /** Told when it keeps dying: restarts stop, and the caller should stop too. */
  readonly onGiveUp: (reason: string) => void;
  /** Most restarts within `windowMs` before giving up. @default 3 */
  readonly maxRestarts?: number;
  /** @default 60_000 */
  readonly windowMs?: number;
}

export interface Supervisor {
  /** The process running now. */
  current(): ChildProcess;
  /**
   * Stops supervising (a later exit is expected) and returns the process running now, waiting for a
   * restart under way, so that the caller can stop the process that is really running.
   */
  stop(): Promise<ChildProcess>;
}

/**
 * Keeps one process running as ECS keeps a service's task: when it dies unasked, it is taken out of
 * service, started again and put back; when it dies too often, supervision gives up and says why.
 */
export async function supervise(options: SupervisorOptions): Promise<Supervisor> {
  const maxRestarts = options.maxRestarts ?? 3;
  const windowMs = options.windowMs ?? 60_000;
  const restarts: number[] = [];
  let stopped = false;
  let child = await options.start();
  let restarting: Promise<void> = Promise.resolve();

  const watch = (process: ChildProcess) => {
    process.once('exit', (code, signal) => {
      if (stopped) return;
      restarting = restart(code, signal).catch((error: Error) => {
        // A failed report (the emulator gone, say) ends supervision too: nothing is left unhandled.
        options.onGiveUp(`supervising it failed: ${error.message}`);
      });
    });
  };
  const restart = async (code: number | null, signal: NodeJS.Signals | null) => {
    await options.onDown({ code, signal });
    const now = Date.now();
    restarts.push(now);
    while (restarts.length > 0 && (restarts[0] as number) < now - windowMs) restarts.shift();
    if (restarts.length > maxRestarts) {
      options.onGiveUp(`it exited ${restarts.length} times within ${windowMs / 1000} s`);
      return;
    }
    try {
      child = await options.start();
    } catch (error) {
      options.onGiveUp(`it could not be started again: ${(error as Error).message}`);
      return;
    }
    if (stopped) return;
    watch(child);
    await options.onUp();
  };
  watch(child);

  return {
    current: () => child,
    stop: async () => {
      stopped = true;
      await restarting;
      return child;
    },
  };
}
