import { OperatorError } from '../lib/stack-outputs';
import { openApiCli } from './cli';

try {
  console.log(`openapi: wrote ${await openApiCli(process.argv.slice(2))}`);
} catch (error) {
  if (!(error instanceof OperatorError)) throw error;
  console.error(`openapi: ${error.message}`);
  process.exitCode = 1;
}
