import closeWithGrace from 'close-with-grace';
import type { FastifyInstance } from 'fastify';
import { type AppOptions, appOptionsFrom, buildApp } from './app';
import { type Config, ConfigError, loadConfig, STOP_TIMEOUT_SECONDS } from './config';
import { createStdoutLogDestination } from './request-logging';

/**
 * Reads the configuration, builds the app, listens, and stops gracefully on SIGTERM: the service as it
 * runs (server.ts). `npm run dev` (dev.ts) adds to the options, and `extend` adds to the app before it
 * listens.
 */
export async function serve(
  devOptions: Pick<AppOptions, 'describeRoutes'> = {},
  extend?: (app: FastifyInstance) => void,
): Promise<void> {
  let config: Config;
  try {
    config = loadConfig(process.env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  }

  const logDestination = createStdoutLogDestination();
  const app = buildApp({ ...appOptionsFrom(config), ...devOptions, logStream: logDestination });
  extend?.(app);

  // ECS sends SIGTERM, then SIGKILL after the task's stopTimeout (30 s). The stop, within it:
  // 1. For the pre-stop delay, keep serving, with `Connection: close`: ECS has removed the task from
  //    Cloud Map, but API Gateway's view of Cloud Map lags, so requests still come.
  // 2. Then stop listening and finish the requests in flight (each bounded by the DynamoDB client's
  //    timeouts), dropping connections as they fall idle; a client still sending its request is cut
  //    off by the request timeout. Requests arriving meanwhile get the API's 503 with Retry-After.
  // 3. One request timeout later, drop whatever connection is left, and exit 0 all the same.
  // config.ts keeps (1) + (3) under the stop timeout; closeWithGrace's exit 1 is only a backstop.
  const drainMs = config.requestTimeoutSeconds * 1000 + 500;
  closeWithGrace({ delay: (STOP_TIMEOUT_SECONDS - 0.5) * 1000, logger: app.log }, async ({ signal, err }) => {
    if (err) {
      app.log.fatal({ err }, 'shutting down after an uncaught error');
    } else {
      app.log.info({ signal, preStopDelaySeconds: config.preStopDelaySeconds }, 'shutting down');
      app.beginShutdown();
      logDestination.flush();
      await new Promise((resolve) => setTimeout(resolve, config.preStopDelaySeconds * 1000));
    }
    app.log.info('closing the server');
    logDestination.flush();
    // Closing the server drops the keep-alive connections idle at that moment, but one whose request
    // finishes later stays open until the client (the gateway) drops it, holding the close open.
    // Keep dropping connections as they fall idle.
    const dropIdleConnections = setInterval(() => app.server.closeIdleConnections(), 50);
    const deadline = setTimeout(() => {
      // A client still sending its request gets the 408 it is owed (its connection goes after a short
      // linger, so that the answer is read); every other connection still open is dropped now.
      app.log.warn('dropping the connections still open');
      app.answerUnfinishedRequests();
    }, drainMs);
    await app.close();
    clearInterval(dropIdleConnections);
    clearTimeout(deadline);
  });

  /** Why the server cannot listen, in one line naming the variable to fix; undefined for anything else. */
  function listenProblem(error: NodeJS.ErrnoException): string | undefined {
    const where = `HOST '${config.host}', PORT ${config.port}`;
    switch (error.code) {
      case 'ENOTFOUND':
      case 'EAI_AGAIN':
        return `HOST is '${config.host}', which this machine cannot resolve: set it to an address of this machine (0.0.0.0 for all)`;
      case 'EADDRNOTAVAIL':
        return `HOST is '${config.host}', which is no address of this machine: set it to one (0.0.0.0 for all)`;
      case 'EADDRINUSE':
        return `PORT ${config.port} is in use on HOST '${config.host}': set PORT to a free one`;
      case 'EACCES':
        return `${where}: not permitted (a port below 1024 needs privileges): set PORT to 1024 or above`;
      default:
        return undefined;
    }
  }

  try {
    await app.listen({ port: config.port, host: config.host });
    logDestination.flush();
  } catch (error) {
    const problem = listenProblem(error as NodeJS.ErrnoException);
    if (problem) process.stderr.write(`${problem}\n`);
    else app.log.fatal({ err: error }, 'could not start listening');
    process.exit(1);
  }
}
