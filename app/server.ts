import closeWithGrace from 'close-with-grace';
import { appOptionsFrom, buildApp } from './app';
import { type Config, ConfigError, loadConfig } from './config';
import { createStdoutLogDestination } from './request-logging';

// ECS sends SIGTERM, then SIGKILL after the task's stopTimeout (30 s). In-flight requests are bounded
// by the DynamoDB client's timeouts (a few seconds), so 25 s is only reached if something hangs:
// then exit non-zero on our own terms rather than be killed.
const SHUTDOWN_TIMEOUT_MS = 25_000;

let config: Config;
try {
  config = loadConfig(process.env);
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  process.stderr.write(`${error.message}\n`);
  process.exit(1);
}

const logDestination = createStdoutLogDestination();
const app = buildApp({ ...appOptionsFrom(config), logStream: logDestination });

// Stops accepting connections, lets every accepted request finish, then closes the DynamoDB client.
closeWithGrace({ delay: SHUTDOWN_TIMEOUT_MS, logger: app.log }, async ({ signal, err }) => {
  if (err) {
    app.log.fatal({ err }, 'shutting down after an uncaught error');
  } else {
    app.log.info({ signal }, 'shutting down');
  }
  logDestination.flush();
  // Closing the server drops the keep-alive connections idle at that moment, but one whose request
  // finishes later stays open until the client (the gateway) drops it, holding the close open.
  // Keep dropping connections as they fall idle.
  const dropIdleConnections = setInterval(() => app.server.closeIdleConnections(), 50);
  await app.close();
  clearInterval(dropIdleConnections);
});

try {
  await app.listen({ port: config.port, host: config.host });
  logDestination.flush();
} catch (error) {
  app.log.fatal({ err: error }, 'could not start listening');
  process.exit(1);
}
