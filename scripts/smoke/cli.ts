/**
 * Post-deploy smoke test (run.ts): `npm run smoke -- --stack <name> [--outputs-file <file>]`, on the stack's
 * outputs (`terraform output -json`, or the file); exits 1 when any expectation fails. Needs AWS credentials
 * allowed the cognito-idp admin calls on the stack's pool. `-- --session <file>` runs it against
 * `npm run local` instead: its gateway and its emulator.
 */
import { readFileSync } from 'node:fs';
import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { EMULATOR_CREDENTIALS } from '../lib/emulator';
import { isRecord } from '../lib/json';
import { OperatorError, parseArguments } from '../lib/operator-error';
import { readStackOutputs, requireOutputs } from '../lib/stack-outputs';
import { runSmokeTest, type StepResult } from './run';

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
    const { stack, source, outputs: all, emulator } = readTarget(args, cdktfOut);
    const outputs = requireOutputs(all, SMOKE_OUTPUTS, source);
    const target = {
      petsUrl: outputs.pets_url,
      // Only a stack with a custom domain has it (the API's own address, turned off).
      executeApiUrl: typeof all.execute_api_endpoint === 'string' ? all.execute_api_endpoint : undefined,
      userPoolId: outputs.user_pool_id,
      clientId: outputs.smoke_test_client_id,
    };
    const onStep = (step: StepResult) =>
      console.log(`${step.ok ? '✓' : '✗'} ${step.name}: ${step.detail} (${step.durationMs} ms)`);
    const cognito = cognitoClient(outputs.region, emulator);
    console.log(`Smoke test of ${stack} at ${target.petsUrl}`);
    const result = await runSmokeTest(target, { cognito, onStep }).finally(() => cognito.destroy());
    if (result.ok) {
      console.log(`Smoke test of ${stack} passed (${result.steps.length} steps).`);
      return 0;
    }
    console.error(`Smoke test of ${stack} FAILED:`);
    for (const failure of result.steps.filter((step) => !step.ok))
      console.error(`  ${failure.name}: ${failure.detail}`);
    return 1;
  } catch (error) {
    if (!(error instanceof OperatorError)) throw error;
    console.error(`smoke: ${error.message}`);
    return 1;
  }
}

type Target = ReturnType<typeof readStackOutputs> & { emulator?: string };

/** The stack and its outputs: from the session file of `npm run local`, an outputs file, or Terraform. */
function readTarget(args: string[], cdktfOut: string): Target {
  const string = { type: 'string' } as const;
  const options = { stack: string, 'outputs-file': string, session: string };
  const { stack, session, 'outputs-file': outputsFile } = parseArguments({ args, options }, USAGE).values;
  if (session === undefined) return readStackOutputs(stack, outputsFile, cdktfOut);
  if (stack !== undefined || outputsFile !== undefined)
    throw new OperatorError(`--session names the stack and its outputs: give it alone\n${USAGE}`);
  // What `npm run local` writes: the gateway, the emulator, the stack and its outputs.
  let local: unknown;
  try {
    local = JSON.parse(readFileSync(session, 'utf8'));
  } catch (error) {
    throw new OperatorError(
      `cannot read --session ${session}: ${(error as Error).message} (is npm run local running?)`,
    );
  }
  const keys = ['gateway', 'emulator', 'stack'] as const;
  if (!isRecord(local) || !isRecord(local.outputs) || !keys.every((key) => typeof local[key] === 'string'))
    throw new OperatorError(`--session ${session} is not a session file of npm run local`);
  const { gateway, emulator, stack: name } = local as Record<(typeof keys)[number], string>;
  // The gateway stands in for API Gateway (with no custom domain) and the emulator for Cognito.
  const outputs = { ...local.outputs, pets_url: `${gateway}/petstore/pets`, execute_api_endpoint: undefined };
  return { stack: name, source: session, outputs, emulator };
}

if (process.argv[1] === import.meta.filename) {
  process.exitCode = await smokeCli(process.argv.slice(2), (region, endpoint) =>
    endpoint
      ? new CognitoIdentityProviderClient({ region, endpoint, credentials: EMULATOR_CREDENTIALS })
      : new CognitoIdentityProviderClient({ region }),
  );
}
