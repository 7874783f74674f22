import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { isRecord } from '../lib/json';
import {
  findSynthesizedStack,
  OperatorError,
  parseTerraformOutputs,
  readTerraformOutputs,
  requireKnownStack,
  requireOutputs,
} from '../lib/stack-outputs';
import { formatStep, runSmokeTest } from './run';

/** What the CLI does effects with; tests pass their own. */
export interface SmokeCliEnvironment {
  /** A Cognito client for the user pool's region; at `endpoint` (an emulator) when given. */
  readonly cognitoClient: (region: string, endpoint?: string) => CognitoIdentityProviderClient;
  readonly print: (line: string) => void;
  readonly printError: (line: string) => void;
  /** Where `npm run synth` writes. @default 'cdktf.out' */
  readonly cdktfOut?: string;
}

/** The stack outputs the smoke test reads. */
// The smoke test signs in through its own app client: the public one does not offer the admin flow.
const SMOKE_OUTPUTS = ['pets_url', 'user_pool_id', 'smoke_test_client_id', 'region'] as const;

const USAGE =
  'usage: npm run smoke -- --stack <name> [--outputs-file <terraform output -json file>], or -- --session <file of npm run local>';

/** `npm run smoke -- --stack <name> [--outputs-file <file>]` or `-- --session <file>`; returns the exit code. */
export async function smokeCli(args: string[], environment: SmokeCliEnvironment): Promise<number> {
  const { print, printError } = environment;
  try {
    const parsed = parseSmokeArgs(args);
    const local = parsed.sessionFile === undefined ? undefined : readLocalSession(parsed.sessionFile);
    const stack = local?.stack ?? requireKnownStack(parsed.stack);
    const source = parsed.sessionFile ?? parsed.outputsFile ?? `the outputs of ${stack}`;
    const values =
      local?.outputs ??
      parseTerraformOutputs(
        parsed.outputsFile === undefined
          ? readDeployedOutputs(environment.cdktfOut ?? 'cdktf.out', stack)
          : readOutputsFile(parsed.outputsFile),
        source,
      );
    const outputs = requireOutputs(values, SMOKE_OUTPUTS, source);
    // Locally the gateway stands in for API Gateway and the emulator for Cognito.
    const petsUrl = local ? `${local.gateway}/petstore/pets` : outputs.pets_url;
    // Only a stack with a custom domain has it (the API's own address, turned off).
    const executeApiUrl = local ? undefined : optionalOutput(values, 'execute_api_endpoint');

    const cognito = environment.cognitoClient(outputs.region, local?.emulator);
    try {
      print(`Smoke test of ${stack} at ${petsUrl}`);
      const result = await runSmokeTest(
        {
          petsUrl,
          executeApiUrl,
          userPoolId: outputs.user_pool_id,
          clientId: outputs.smoke_test_client_id,
        },
        { cognito, onStep: (step) => print(formatStep(step)) },
      );
      if (result.ok) {
        print(`Smoke test of ${stack} passed (${result.steps.length} steps).`);
        return 0;
      }
      const failures = result.steps.filter((step) => !step.ok);
      printError(`Smoke test of ${stack} FAILED:`);
      for (const failure of failures) printError(`  ${failure.name}: ${failure.detail}`);
      return 1;
    } finally {
      cognito.destroy();
    }
  } catch (error) {
    if (!(error instanceof OperatorError)) throw error;
    printError(`smoke: ${error.message}`);
    return 1;
  }
}

function parseSmokeArgs(args: string[]): { stack?: string; outputsFile?: string; sessionFile?: string } {
  let values: { stack?: string; 'outputs-file'?: string; session?: string };
  try {
    ({ values } = parseArgs({
      args,
      options: { stack: { type: 'string' }, 'outputs-file': { type: 'string' }, session: { type: 'string' } },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw new OperatorError(`${(error as Error).message}\n${USAGE}`);
  }
  if (values.session !== undefined && (values.stack !== undefined || values['outputs-file'] !== undefined)) {
    throw new OperatorError(`--session names the stack and its outputs: give it alone\n${USAGE}`);
  }
  return { stack: values.stack, outputsFile: values['outputs-file'], sessionFile: values.session };
}

/** What `npm run local` writes to its session file: the gateway, the emulator, the stack and its outputs. */
function readLocalSession(file: string): {
  gateway: string;
  emulator: string;
  stack: string;
  outputs: Record<string, unknown>;
} {
  let session: unknown;
  try {
    session = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new OperatorError(
      `cannot read --session ${file}: ${(error as Error).message} (is npm run local running?)`,
    );
  }
  if (
    !isRecord(session) ||
    typeof session.gateway !== 'string' ||
    typeof session.emulator !== 'string' ||
    typeof session.stack !== 'string' ||
    !isRecord(session.outputs)
  ) {
    throw new OperatorError(`--session ${file} is not a session file of npm run local`);
  }
  return {
    gateway: session.gateway,
    emulator: session.emulator,
    stack: session.stack,
    outputs: session.outputs,
  };
}

function readDeployedOutputs(cdktfOut: string, stack: string): string {
  const synthesized = findSynthesizedStack(cdktfOut, stack);
  if (synthesized === undefined) {
    throw new OperatorError(
      `${cdktfOut}/ has no synthesized ${stack}: deploy it from this checkout (npm run deploy -- ${stack}), or pass --outputs-file`,
    );
  }
  return readTerraformOutputs(synthesized.workingDirectory);
}

function readOutputsFile(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw new OperatorError(`cannot read --outputs-file ${file}: ${(error as Error).message}`);
  }
}

/** An output some stacks have: its value, or undefined when the stack has none. */
function optionalOutput(outputs: Record<string, unknown>, name: string): string | undefined {
  const value = outputs[name];
  return typeof value === 'string' && value !== '' ? value : undefined;
}
