import { type ParseArgsConfig, parseArgs } from 'node:util';

/** An operator's mistake (arguments, a missing synth, deploy or tool): its message says what to do, no stack trace. */
export class OperatorError extends Error {
  override name = 'OperatorError';
}

/**
 * Runs a command's `main` and sets the exit code it returns (0 when none): an OperatorError is one line,
 * `<command>: <message>`, and `errorCode`; anything else is a bug, and keeps its stack trace.
 */
export async function runCommand(command: string, main: () => unknown, errorCode = 1): Promise<void> {
  try {
    const code = await main();
    process.exitCode = typeof code === 'number' ? code : 0;
  } catch (error) {
    if (!(error instanceof OperatorError)) throw error;
    console.error(`${command}: ${error.message}`);
    process.exitCode = errorCode;
  }
}

/** parseArgs, its errors (an unknown option, a missing value) an OperatorError that ends with `usage`. */
export function parseArguments<T extends ParseArgsConfig>(config: T, usage: string) {
  try {
    return parseArgs(config);
  } catch (error) {
    throw new OperatorError(`${(error as Error).message}\n${usage}`);
  }
}
