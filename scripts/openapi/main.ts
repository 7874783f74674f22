import { runCommand } from '../lib/operator-error';
import { openApiCli } from './cli';

await runCommand('openapi', async () =>
  console.log(`openapi: wrote ${await openApiCli(process.argv.slice(2))}`),
);
