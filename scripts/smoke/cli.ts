/**
 * Post-deploy smoke test: `npm run smoke -- --stack <name> [--outputs-file <file>]`. Reads the stack's
 * outputs (`terraform output -json`, or the file), creates a Cognito test user with the admin API,
 * signs it in, exercises the deployed API end to end and deletes what it created. Exits 1 when any
 * expectation fails. Needs AWS credentials allowed the cognito-idp admin calls on the stack's pool.
 * `-- --session <file>` runs it against `npm run local` instead: its gateway and its emulator.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { EMULATOR_CREDENTIALS } from '../lib/emulator';
import { isRecord } from '../lib/json';
import * as stacks from '../lib/stack-outputs';
import { runSmokeTest } from './run';

// The smoke test signs in through its own app client: the public one does not offer the admin flow.
const SMOKE_OUTPUTS = ['pets_url', 'user_pool_id', 'smoke_test_client_id', 'region'] as const;
const USAGE =
  'usage: npm run smoke -- --stack <name> [--outputs-file <terraform output -json file>], or -- --session <file of npm run local>';

/**
 * Runs the smoke test as `args` say and prints its steps; returns the exit code. `cognitoClient` makes
 * a client for the pool's region, at `endpoint` (an emulator) when given.
 */
export async function smokeCli(
  args: string[],
  cognitoClient: (region: string, endpoint?: string) => CognitoIdentityProviderClient,
  cdktfOut = 'cdktf.out',
) {
  try {
    const target = readTarget(args, cdktfOut);
    const outputs = stacks.requireOutputs(target.outputs, SMOKE_OUTPUTS, target.source);
    // Locally the gateway stands in for API Gateway and the emulator for Cognito.
    const petsUrl = target.local ? `${target.local.gateway}/petstore/pets` : outputs.pets_url;
    // Only a stack with a custom domain has it (the API's own address, turned off).
    const executeApiUrl = target.local ? undefined : target.outputs.execute_api_endpoint;
    const cognito = cognitoClient(outputs.region, target.local?.emulator);
    console.log(`Smoke test of ${target.stack} at ${petsUrl}`);
    const result = await runSmokeTest(
      {
        petsUrl,
        executeApiUrl: typeof executeApiUrl === 'string' && executeApiUrl !== '' ? executeApiUrl : undefined,
        userPoolId: outputs.user_pool_id,
        clientId: outputs.smoke_test_client_id,
      },
      {
        cognito,
        onStep: (step) =>
          console.log(`${step.ok ? '✓' : '✗'} ${step.name}: ${step.detail} (${step.durationMs} ms)`),
      },
    ).finally(() => cognito.destroy());
    if (result.ok) {
      console.log(`Smoke test of ${target.stack} passed (${result.steps.length} steps).`);
      return 0;
    }
    console.error(`Smoke test of ${target.stack} FAILED:`);
    for (const failure of result.steps.filter((step) => !step.ok)) {
      console.error(`  ${failure.name}: ${failure.detail}`);
    }
    return 1;
  } catch (error) {
    if (!(error instanceof stacks.OperatorError)) throw error;
    console.error(`smoke: ${error.message}`);
    return 1;
  }
}

/** The stack and its outputs: from the session file of `npm run local`, an outputs file, or Terraform. */
function readTarget(args: string[], cdktfOut: string) {
  let options: { stack?: string; 'outputs-file'?: string; session?: string };
  try {
    const string = { type: 'string' } as const;
    options = parseArgs({ args, options: { stack: string, 'outputs-file': string, session: string } }).values;
  } catch (error) {
    throw new stacks.OperatorError(`${(error as Error).message}\n${USAGE}`);
  }
  const { session, 'outputs-file': outputsFile } = options;
  if (session !== undefined) {
    if (options.stack !== undefined || outputsFile !== undefined) {
      throw new stacks.OperatorError(`--session names the stack and its outputs: give it alone\n${USAGE}`);
    }
    // What `npm run local` writes: the gateway, the emulator, the stack and its outputs.
    const local: unknown = read(session, '--session', JSON.parse, ' (is npm run local running?)');
    if (
      !isRecord(local) ||
      !isRecord(local.outputs) ||
      !['gateway', 'emulator', 'stack'].every((key) => typeof local[key] === 'string')
    ) {
      throw new stacks.OperatorError(`--session ${session} is not a session file of npm run local`);
    }
    const { gateway, emulator, stack } = local as Record<string, string>;
    return { stack, source: session, outputs: local.outputs, local: { gateway, emulator } };
  }
  const stack = stacks.requireKnownStack(options.stack);
  const source = outputsFile ?? `the outputs of ${stack}`;
  const text = outputsFile ? read(outputsFile, '--outputs-file', String) : deployedOutputs(cdktfOut, stack);
  return { stack, source, outputs: stacks.parseTerraformOutputs(text, source) };
}

function deployedOutputs(cdktfOut: string, stack: string): string {
  const synthesized = stacks.findSynthesizedStack(cdktfOut, stack);
  if (synthesized === undefined) {
    throw new stacks.OperatorError(
      `${cdktfOut}/ has no synthesized ${stack}: deploy it from this checkout (npm run deploy -- ${stack}), or pass --outputs-file`,
    );
  }
  return stacks.readTerraformOutputs(synthesized.workingDirectory);
}

function read<T>(file: string, option: string, parse: (text: string) => T, hint = ''): T {
  try {
    return parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new stacks.OperatorError(`cannot read ${option} ${file}: ${(error as Error).message}${hint}`);
  }
}

if (process.argv[1] === import.meta.filename) {
  process.exitCode = await smokeCli(process.argv.slice(2), (region, endpoint) =>
    endpoint
      ? new CognitoIdentityProviderClient({ region, endpoint, credentials: EMULATOR_CREDENTIALS })
      : new CognitoIdentityProviderClient({ region }),
  );
}
