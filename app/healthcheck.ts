// The container's health check: `node /app/healthcheck.js` exits 0 when GET /health answers 200.
// Node is the only program the image is sure to have, so the check needs no curl or wget.
// 127.0.0.1, not localhost: the server listens on IPv4 and localhost may resolve to ::1 first.
import { HEALTH_PATH, SERVICE_ENVIRONMENT, SERVICE_PORT } from './contract';

const port = process.env[SERVICE_ENVIRONMENT.port]?.trim() || String(SERVICE_PORT);
try {
  const response = await fetch(`http://127.0.0.1:${port}${HEALTH_PATH}`, {
    signal: AbortSignal.timeout(2000),
  });
  process.exit(response.ok ? 0 : 1);
} catch {
  process.exit(1);
}
