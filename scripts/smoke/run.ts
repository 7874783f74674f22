import { randomBytes } from 'node:crypto';
import type { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { PET_ROUTES } from '../../app/contract';
import {
  createTestUser,
  deleteTestUser,
  setPermanentPassword,
  signIn,
  testUserPassword,
  type UserPool,
} from '../lib/cognito-test-user';

/** The deployed stack as the smoke test sees it. */
export interface SmokeTarget extends UserPool {
  /** The pets collection behind the gateway (the stack's `pets_url` output). */
  readonly petsUrl: string;
}

export interface SmokeOptions {
  /** A client for the user pool's region. */
  readonly cognito: CognitoIdentityProviderClient;
  /** Called as each step ends, to print it. */
  readonly onStep: (step: StepResult) => void;
}

export interface StepResult {
  readonly name: string;
  readonly ok: boolean;
  /** What came back, or what was expected and what came instead. */
  readonly detail: string;
  readonly durationMs: number;
}

export interface SmokeResult {
  readonly ok: boolean;
  readonly steps: readonly StepResult[];
  readonly petId: string;
  readonly email: string;
}

// Generous for a cold Fargate task behind the VPC link; a hung request must still end the run.
const REQUEST_TIMEOUT_MS = 10_000;
const OPENAPI_PATH = PET_ROUTES.openApiDocument.path;

/** A step's expectation was not met; the message says what was expected and what came. */
class ExpectationFailed extends Error {}

interface ApiResponse {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
}

/**
 * Signs a fresh test user in, then walks a fresh pet through the API: public read of an absent pet,
 * a write without a token (the gateway must refuse it), a write with one, a read and a delete. Stops
 * at the first unmet expectation; whatever happened, deletes the pet if a write may have created it
 * and the user. Never throws for a failed step: the result says which failed and why.
 */
export async function runSmokeTest(target: SmokeTarget, options: SmokeOptions): Promise<SmokeResult> {
  const { cognito } = options;
  // Unique per run, so runs never collide and a leftover is easy to attribute.
  const runId = `smoke-${Date.now()}-${randomBytes(4).toString('hex')}`;
  const email = `${runId}@example.com`;
  const petPath = `/petstore/pets/${runId}`;
  const petUrl = `${target.petsUrl}/${runId}`;
  const pet = { name: 'Smoke Test', tag: runId };
  const password = testUserPassword();

  const steps: StepResult[] = [];
  const step = async (name: string, action: () => Promise<string>): Promise<boolean> => {
    const started = performance.now();
    let result: StepResult;
    try {
      result = { name, ok: true, detail: await action(), durationMs: elapsedSince(started) };
    } catch (error) {
      result = { name, ok: false, detail: describeFailure(error), durationMs: elapsedSince(started) };
    }
    steps.push(result);
    options.onStep(result);
    return result.ok;
  };

  let userMayExist = false;
  let token: string | undefined;
  let petMayExist = false;
  let petDeleted = false;
  const bearer = (): string => {
    if (token === undefined) throw new ExpectationFailed('no access token: sign-in did not succeed');
    return token;
  };

  const scenario: [string, () => Promise<string>][] = [
    [
      `create test user ${email}`,
      async () => {
        userMayExist = true;
        try {
          await createTestUser(cognito, target, email);
        } catch (error) {
          userMayExist = !nothingSentOrRefused(error);
          throw error;
        }
        return 'created, invitation suppressed';
      },
    ],
    [
      'set its password',
      async () => {
        await setPermanentPassword(cognito, target, email, password);
        return 'permanent';
      },
    ],
    [
      'sign in (ADMIN_USER_PASSWORD_AUTH)',
      async () => {
        token = await signIn(cognito, target, email, password);
        return 'access token received';
      },
    ],
    [
      `GET ${petPath} without a token → 404`,
      async () => {
        const response = await request('GET', petUrl);
        expectStatus(response, 404);
        // The gateway answers 404 itself for a route it lacks; only the service's own 404 proves the
        // request went through the VPC link to a task.
        if (errorStatusIn(response) !== 404) {
          throw new ExpectationFailed(
            `expected the pet service's 404 body ({"statusCode":404,...}), got ${bodyExcerpt(response)}`,
          );
        }
        return '404';
      },
    ],
    [
      `POST ${petPath} without a token → 401`,
      async () => {
        petMayExist = true;
        const response = await request('POST', petUrl, { body: pet });
        expectStatus(response, 401);
        return '401';
      },
    ],
    [
      `POST ${petPath} with the token → 201`,
      async () => {
        const response = await request('POST', petUrl, { body: pet, token: bearer() });
        expectStatus(response, 201);
        const location = response.headers.get('location');
        if (!location?.endsWith(petPath)) {
          throw new ExpectationFailed(`expected Location ending in ${petPath}, got ${location ?? 'none'}`);
        }
        return `201, Location ${location}`;
      },
    ],
    [
      `GET ${petPath} → 200`,
      async () => {
        const response = await request('GET', petUrl);
        expectStatus(response, 200);
        const body = parseJson(response.text) as { petId?: unknown; name?: unknown } | undefined;
        if (body?.petId !== runId || body.name !== pet.name) {
          throw new ExpectationFailed(
            `expected the pet just created (petId ${runId}, name ${pet.name}), got ${bodyExcerpt(response)}`,
          );
        }
        return '200';
      },
    ],
    [
      `DELETE ${petPath} with the token → 204`,
      async () => {
        const response = await request('DELETE', petUrl, { token: bearer() });
        expectStatus(response, 204);
        petDeleted = true;
        return '204';
      },
    ],
    [
      `GET ${OPENAPI_PATH} without a token → 200`,
      async () => {
        const response = await request('GET', new URL(OPENAPI_PATH, target.petsUrl).href);
        expectStatus(response, 200);
        const document = parseJson(response.text) as { openapi?: unknown; paths?: object } | undefined;
        if (
          typeof document?.openapi !== 'string' ||
          !document.paths ||
          !(PET_ROUTES.getPet.path in document.paths)
        ) {
          throw new ExpectationFailed(`expected the API's OpenAPI document, got ${bodyExcerpt(response)}`);
        }
        return `200, OpenAPI ${document.openapi}`;
      },
    ],
  ];

  try {
    for (const [name, action] of scenario) {
      if (!(await step(name, action))) break;
    }
  } finally {
    if (petMayExist && !petDeleted) {
      await step(`cleanup: DELETE ${petPath}`, async () => {
        const response = await request('DELETE', petUrl, { token: bearer() });
        if (response.status === 404) return '404: was not created';
        expectStatus(response, 204);
        return '204';
      });
    }
    if (userMayExist) {
      await step('cleanup: delete the test user', async () => {
        try {
          return (await deleteTestUser(cognito, target, email)) ? 'deleted' : 'was not created';
        } catch (error) {
          throw new ExpectationFailed(
            `${describeFailure(error)}; delete it by hand: aws cognito-idp admin-delete-user --user-pool-id ${target.userPoolId} --username ${email}`,
          );
        }
      });
    }
  }
  return { ok: steps.every((result) => result.ok), steps, petId: runId, email };
}

/** `✓ <step>: <detail> (<ms> ms)`, one line. */
export function formatStep(step: StepResult): string {
  return `${step.ok ? '✓' : '✗'} ${step.name}: ${step.detail} (${step.durationMs} ms)`;
}

async function request(
  method: 'GET' | 'POST' | 'DELETE',
  url: string,
  { body, token }: { body?: unknown; token?: string } = {},
): Promise<ApiResponse> {
  const headers: Record<string, string> = {};
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (token !== undefined) headers.authorization = `Bearer ${token}`;
  const response = await fetch(url, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    redirect: 'manual',
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
  });
  return { status: response.status, headers: response.headers, text: await response.text() };
}

function expectStatus(response: ApiResponse, expected: number): void {
  if (response.status !== expected) {
    throw new ExpectationFailed(`expected ${expected}, got ${response.status}${messageSuffix(response)}`);
  }
}

/** The body's `message` (the service's and the gateway's errors both have one), else an excerpt. */
function messageSuffix(response: ApiResponse): string {
  if (response.text === '') return '';
  const message = (parseJson(response.text) as { message?: unknown } | undefined)?.message;
  return typeof message === 'string' ? ` (message: ${message})` : ` (body: ${bodyExcerpt(response)})`;
}

function errorStatusIn(response: ApiResponse): unknown {
  return (parseJson(response.text) as { statusCode?: unknown } | undefined)?.statusCode;
}

function bodyExcerpt(response: ApiResponse): string {
  if (response.text === '') return 'an empty body';
  return response.text.length > 200 ? `${response.text.slice(0, 200)}…` : response.text;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/**
 * True when a Cognito call certainly changed nothing: Cognito answered with an error, or no request
 * left (no credentials). A timeout or dropped connection may follow a change, so it is not.
 */
function nothingSentOrRefused(error: unknown): boolean {
  const { name, $metadata } = error as { name?: string; $metadata?: { httpStatusCode?: number } };
  return typeof $metadata?.httpStatusCode === 'number' || name === 'CredentialsProviderError';
}

function describeFailure(error: unknown): string {
  if (error instanceof ExpectationFailed) return error.message;
  if (!(error instanceof Error)) return String(error);
  if (error.name === 'TimeoutError') return `no response within ${REQUEST_TIMEOUT_MS / 1000} s`;
  // fetch reports network failures as "fetch failed" with the reason in `cause`.
  if (error.cause instanceof Error) return `no response: ${error.cause.message}`;
  // AWS SDK errors are named after the service's exception, e.g. NotAuthorizedException.
  return error.name === 'Error' ? error.message : `${error.name}: ${error.message}`;
}

function elapsedSince(started: number): number {
  return Math.round(performance.now() - started);
}
