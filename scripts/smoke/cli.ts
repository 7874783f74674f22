import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { formatStep, runSmokeTest } from './run';
import {
  findSynthesizedStack,
  OperatorError,
  parseTerraformOutputs,
  readTerraformOutputs,
  requireKnownStack,
  requireOutputs,
} from './stack-outputs';

/** What the CLI does effects with; tests pass their own. */
export interface SmokeCliEnvironment {
  /** A Cognito client for the user pool's region. */
  readonly cognitoClient: (region: string) => CognitoIdentityProviderClient;
  readonly print: (line: string) => void;
  readonly printError: (line: string) => void;
  /** Where `npm run synth` writes. @default 'cdktf.out' */
  readonly cdktfOut?: string;
}

/** The stack outputs the smoke test reads. */
const SMOKE_OUTPUTS = ['pets_url', 'user_pool_id', 'user_pool_client_id', 'region'] as const;

const USAGE = 'usage: npm run smoke -- --stack <name> [--outputs-file <terraform output -json file>]';

/** `npm run smoke -- --stack <name> [--outputs-file <file>]`; returns the exit code. */
export async function smokeCli(args: string[], environment: SmokeCliEnvironment): Promise<number> {
  const { print, printError } = environment;
  try {
    const { stack, outputsFile } = parseSmokeArgs(args);
    const source = outputsFile ?? `the outputs of ${stack}`;
    const text =
      outputsFile === undefined
        ? readDeployedOutputs(environment.cdktfOut ?? 'cdktf.out', stack)
        : readOutputsFile(outputsFile);
    const outputs = requireOutputs(parseTerraformOutputs(text, source), SMOKE_OUTPUTS, source);

    const cognito = environment.cognitoClient(outputs.region);
    try {
      print(`Smoke test of ${stack} at ${outputs.pets_url}`);
      const result = await runSmokeTest(
        {
          petsUrl: outputs.pets_url,
          userPoolId: outputs.user_pool_id,
          clientId: outputs.user_pool_client_id,
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

function parseSmokeArgs(args: string[]): { stack: string; outputsFile: string | undefined } {
  let values: { stack?: string; 'outputs-file'?: string };
  try {
    ({ values } = parseArgs({
      args,
      options: { stack: { type: 'string' }, 'outputs-file': { type: 'string' } },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw new OperatorError(`${(error as Error).message}\n${USAGE}`);
  }
  return { stack: requireKnownStack(values.stack), outputsFile: values['outputs-file'] };
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
