import { randomBytes } from 'node:crypto';
import type { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { PET_ROUTES } from '../../app/contract';
import { testUser, testUserPassword, type UserPool } from '../lib/cognito-test-user';

/**
 * The stack as the smoke test sees it: its user pool, its pets collection and, with a custom domain, the
 * API's own address (`execute_api_endpoint`), which must refuse lest the domain's TLS policy be bypassed.
 */
export type SmokeTarget = UserPool & { readonly petsUrl: string; readonly executeApiUrl?: string };

/** One step; `detail` is what came back, or what was expected and what came instead. */
export type StepResult = { name: string; ok: boolean; detail: string; durationMs: number };

// Generous for a cold Fargate task behind the VPC link; a hung request must still end the run.
const REQUEST_TIMEOUT_MS = 10_000;
const OPENAPI_PATH = PET_ROUTES.openApiDocument.path;

/**
 * Signs a fresh test user in and walks a fresh pet through the API, stopping at the first unmet expectation
 * (the result says which and why: no throw), then deletes what it may have created. `onStep` reports steps.
 */
export async function runSmokeTest(
  target: SmokeTarget,
  { cognito, onStep }: { cognito: CognitoIdentityProviderClient; onStep: (step: StepResult) => void },
) {
  // Unique per run, so runs never collide and a leftover is easy to attribute.
  const petId = `smoke-${Date.now()}-${randomBytes(4).toString('hex')}`;
  const email = `${petId}@example.com`;
  const petPath = `/petstore/pets/${petId}`;
  const petUrl = `${target.petsUrl}/${petId}`;
  const pet = { name: 'Smoke Test', tag: petId };
  const user = testUser(cognito, target, email);
  const password = testUserPassword();
  const steps: StepResult[] = [];

  /** Runs one step and reports it; not when an earlier step failed, unless it is a cleanup. */
  async function step(name: string, action: () => Promise<string>): Promise<void> {
    if (!name.startsWith('cleanup:') && steps.some((earlier) => !earlier.ok)) return;
    const started = performance.now();
    const result = await action().then(
      (detail) => ({ ok: true, detail }),
      (error: Error) => ({ ok: false, detail: describeFailure(error) }),
    );
    steps.push({ name, ...result, durationMs: Math.round(performance.now() - started) });
    onStep(steps.at(-1) as StepResult);
  }

  let userMayExist = false;
  let petMayExist = false;
  // Set by the sign-in step; every step that sends it runs only after that step passed.
  let token = '';

  const { executeApiUrl } = target;
  if (executeApiUrl) {
    await step(`GET ${executeApiUrl}/petstore/pets → 403 (turned off by the custom domain)`, async () => {
      expectStatus(await request('GET', `${executeApiUrl}/petstore/pets`), 403);
      return '403';
    });
  }
  await step(`create test user ${email}`, async () => {
    userMayExist = true;
    await user.create().catch((error) => {
      // An error answer, or no request sent (no credentials), created nothing; after a timeout it may exist.
      const { name, $metadata } = error as { name?: string; $metadata?: { httpStatusCode?: number } };
      userMayExist = !(typeof $metadata?.httpStatusCode === 'number' || name === 'CredentialsProviderError');
      throw error;
    });
    return 'created, invitation suppressed';
  });
  await step('set its password', () => user.setPassword(password).then(() => 'permanent'));
  await step('sign in (ADMIN_USER_PASSWORD_AUTH)', async () => {
    token = await user.signIn(password);
    return 'access token received';
  });
  await step(`GET ${petPath} without a token → 404`, async () => {
    const response = expectStatus(await request('GET', petUrl), 404);
    // The gateway answers 404 itself for a route it lacks; only the service's own 404 proves the
    // request went through the VPC link to a task.
    const expected = `the pet service's 404 body ({"statusCode":404,...})`;
    if (response.json?.statusCode !== 404) throw new Error(`expected ${expected}, got ${excerpt(response)}`);
    return '404';
  });
  await step(`POST ${petPath} without a token → 401`, async () => {
    petMayExist = true;
    expectStatus(await request('POST', petUrl, { body: pet }), 401);
    return '401';
  });
  await step(`POST ${petPath} with the token → 201`, async () => {
    const { location } = expectStatus(await request('POST', petUrl, { body: pet, token }), 201);
    if (!location?.endsWith(petPath))
      throw new Error(`expected Location ending in ${petPath}, got ${location ?? 'none'}`);
    return `201, Location ${location}`;
  });
  await step(`GET ${petPath} → 200`, async () => {
    const response = expectStatus(await request('GET', petUrl), 200);
    if (response.json?.petId !== petId || response.json.name !== pet.name) {
      const expected = `the pet just created (petId ${petId}, name ${pet.name})`;
      throw new Error(`expected ${expected}, got ${excerpt(response)}`);
    }
    return '200';
  });
  await step(`DELETE ${petPath} with the token → 204`, async () => {
    expectStatus(await request('DELETE', petUrl, { token }), 204);
    petMayExist = false;
    return '204';
  });
  await step(`GET ${OPENAPI_PATH} without a token → 200`, async () => {
    const response = expectStatus(await request('GET', new URL(OPENAPI_PATH, target.petsUrl).href), 200);
    const { openapi, paths } = (response.json ?? {}) as { openapi?: unknown; paths?: object };
    if (typeof openapi !== 'string' || !(PET_ROUTES.getPet.path in (paths ?? {})))
      throw new Error(`expected the API's OpenAPI document, got ${excerpt(response)}`);
    return `200, OpenAPI ${openapi}`;
  });
  if (petMayExist) {
    await step(`cleanup: DELETE ${petPath}`, async () => {
      const response = await request('DELETE', petUrl, { token });
      if (response.status === 404) return '404: was not created';
      expectStatus(response, 204);
      return '204';
    });
  }
  if (userMayExist) {
    await step('cleanup: delete the test user', async () => {
      const deleted = await user.delete().catch((error: Error) => {
        throw new Error(
          `${describeFailure(error)}; delete it by hand: aws cognito-idp admin-delete-user --user-pool-id ${target.userPoolId} --username ${email}`,
        );
      });
      return deleted ? 'deleted' : 'was not created';
    });
  }
  return { ok: steps.every((result) => result.ok), steps, petId, email };
}

/** The response's status, Location and body (and the body's JSON object, when it is one). */
async function request(method: string, url: string, { body, token }: { body?: object; token?: string } = {}) {
  const headers: Record<string, string> = body ? { 'content-type': 'application/json' } : {};
  if (token) headers.authorization = `Bearer ${token}`;
  const response = await fetch(url, {
    method,
    headers,
    body: body && JSON.stringify(body),
    redirect: 'manual',
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
  });
  const text = await response.text();
  let json: Record<string, unknown> | undefined;
  try {
    json = JSON.parse(text);
  } catch {
    // Not JSON: the checks that read it fail, quoting the text.
  }
  return { status: response.status, location: response.headers.get('location'), text, json };
}

type ApiResponse = Awaited<ReturnType<typeof request>>;

/** The response, when its status is the expected one; else what came, with the body's `message`. */
function expectStatus(response: ApiResponse, expected: number): ApiResponse {
  if (response.status === expected) return response;
  // The service's errors and the gateway's both have a `message`.
  const message = response.json?.message;
  const came = typeof message === 'string' ? `message: ${message}` : `body: ${excerpt(response)}`;
  throw new Error(`expected ${expected}, got ${response.status}${response.text === '' ? '' : ` (${came})`}`);
}

function excerpt({ text }: ApiResponse): string {
  if (text === '') return 'an empty body';
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}

function describeFailure(error: Error): string {
  if (error.name === 'TimeoutError') return `no response within ${REQUEST_TIMEOUT_MS / 1000} s`;
  // fetch reports network failures as "fetch failed" with the reason in `cause`.
  if (error.cause instanceof Error) return `no response: ${error.cause.message}`;
  // A failed expectation is a plain Error; AWS SDK errors are named after the service's exception.
  return error.name === 'Error' ? error.message : `${error.name}: ${error.message}`;
}
