import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { testUserPassword } from '../../scripts/lib/cognito-test-user';
import { runSmokeTest, type StepResult } from '../../scripts/smoke/run';
import { smokeFixture } from './fake-cognito';
import { cognitoClientFor, startLocalPetService, startStackStandIns } from './local-stack';

// The recorded pool and client (the fixtures' ids).
const USER_POOL_ID = 'us-east-1_Xq7PaB3mZ';
const CLIENT_ID = '5r1hq0c2v8m7a9d3k4j6n2p0ls';

/** The pool's policy: at least 12 characters, upper and lower case, a digit and a symbol. */
function meetsPasswordPolicy(password: string): boolean {
  return (
    password.length >= 12 &&
    /[A-Z]/.test(password) &&
    /[a-z]/.test(password) &&
    /\d/.test(password) &&
    /[^A-Za-z0-9]/.test(password)
  );
}

let service: Awaited<ReturnType<typeof startLocalPetService>>;
let standIns: Awaited<ReturnType<typeof startStackStandIns>> | undefined;

beforeAll(async () => {
  service = await startLocalPetService();
});

afterAll(async () => {
  await service?.close();
});

afterEach(async () => {
  await standIns?.close();
  standIns = undefined;
});

/** Runs the smoke test against the service behind fresh stand-ins; returns what it reported too. */
async function smoke(
  options: Parameters<typeof startStackStandIns>[1] = {},
  serviceUrl = service.url,
  executeApiUrl?: string,
) {
  standIns = await startStackStandIns(serviceUrl, options);
  const cognito = cognitoClientFor(standIns.cognito.endpoint);
  const reported: StepResult[] = [];
  try {
    const result = await runSmokeTest(
      { petsUrl: standIns.petsUrl, executeApiUrl, userPoolId: USER_POOL_ID, clientId: CLIENT_ID },
      { cognito, onStep: (step) => reported.push(step) },
    );
    return { result, reported, gateway: standIns.gateway, cognito: standIns.cognito };
  } finally {
    cognito.destroy();
  }
}

describe('runSmokeTest', () => {
  it('signs a test user in, walks a pet through the API in order, then deletes the pet and the user', async () => {
    const { result, reported, gateway, cognito } = await smoke();

    expect(result.ok).toBe(true);
    const petPath = `/petstore/pets/${result.petId}`;
    expect(result.petId).toMatch(/^smoke-\d+-[0-9a-f]{8}$/);
    expect(result.steps.map((step) => step.name)).toEqual([
      `create test user ${result.email}`,
      'set its password',
      'sign in (ADMIN_USER_PASSWORD_AUTH)',
      `GET ${petPath} without a token → 404`,
      `POST ${petPath} without a token → 401`,
      `POST ${petPath} with the token → 201`,
      `GET ${petPath} → 200`,
      `DELETE ${petPath} with the token → 204`,
      'GET /petstore/openapi.json without a token → 200',
      'cleanup: delete the test user',
    ]);
    expect(result.steps.every((step) => step.ok)).toBe(true);
    expect(result.steps[5]?.detail).toBe(`201, Location ${petPath}`);
    // Each step was reported as it ended.
    expect(reported).toEqual(result.steps);

    expect(gateway.requests).toEqual([
      { method: 'GET', path: petPath, authorized: false, status: 404 },
      { method: 'POST', path: petPath, authorized: false, status: 401 },
      { method: 'POST', path: petPath, authorized: true, status: 201 },
      { method: 'GET', path: petPath, authorized: false, status: 200 },
      { method: 'DELETE', path: petPath, authorized: true, status: 204 },
      { method: 'GET', path: '/petstore/openapi.json', authorized: false, status: 200 },
    ]);
    expect(await service.petStatus(result.petId)).toBe(404);

    expect(cognito.operations()).toEqual([
      'AdminCreateUser',
      'AdminSetUserPassword',
      'AdminInitiateAuth',
      'AdminDeleteUser',
    ]);
    const [create, setPassword, signIn, deleteUser] = cognito.calls.map((call) => call.body);
    expect(create).toEqual({
      UserPoolId: USER_POOL_ID,
      Username: result.email,
      MessageAction: 'SUPPRESS',
      UserAttributes: [
        { Name: 'email', Value: result.email },
        { Name: 'email_verified', Value: 'true' },
      ],
    });
    expect(setPassword).toMatchObject({ UserPoolId: USER_POOL_ID, Username: result.email, Permanent: true });
    const password = String(setPassword?.Password);
    expect(meetsPasswordPolicy(password)).toBe(true);
    expect(signIn).toEqual({
      UserPoolId: USER_POOL_ID,
      ClientId: CLIENT_ID,
      AuthFlow: 'ADMIN_USER_PASSWORD_AUTH',
      AuthParameters: { USERNAME: result.email, PASSWORD: password },
    });
    expect(deleteUser).toEqual({ UserPoolId: USER_POOL_ID, Username: result.email });
  });

  it('fails when the gateway lets a write through without a token, stops there, and still cleans up', async () => {
    const { result, gateway, cognito } = await smoke({ gateway: { letUnauthenticatedWritesThrough: true } });

    expect(result.ok).toBe(false);
    const petPath = `/petstore/pets/${result.petId}`;
    const failed = result.steps.filter((step) => !step.ok);
    expect(failed.map((step) => step.name)).toEqual([`POST ${petPath} without a token → 401`]);
    expect(failed[0]?.detail).toMatch(/^expected 401, got 201 \(body: \{"petId":"smoke-/);
    // No step after the failure ran; the pet the unauthenticated write created was deleted with the token.
    expect(result.steps.slice(-2).map((step) => step.name)).toEqual([
      `cleanup: DELETE ${petPath}`,
      'cleanup: delete the test user',
    ]);
    expect(gateway.requests).toEqual([
      { method: 'GET', path: petPath, authorized: false, status: 404 },
      { method: 'POST', path: petPath, authorized: false, status: 201 },
      { method: 'DELETE', path: petPath, authorized: true, status: 204 },
    ]);
    expect(await service.petStatus(result.petId)).toBe(404);
    expect(cognito.operations().at(-1)).toBe('AdminDeleteUser');
  });

  it('fails at sign-in with Cognito’s error, sends nothing to the API and deletes the user', async () => {
    const { result, gateway, cognito } = await smoke({
      cognitoResponses: { AdminInitiateAuth: 'AdminInitiateAuth.NotAuthorizedException.json' },
    });

    expect(result.ok).toBe(false);
    expect(result.steps.map((step) => [step.name, step.ok, step.detail])).toEqual([
      [`create test user ${result.email}`, true, 'created, invitation suppressed'],
      ['set its password', true, 'permanent'],
      [
        'sign in (ADMIN_USER_PASSWORD_AUTH)',
        false,
        'NotAuthorizedException: Incorrect username or password.',
      ],
      ['cleanup: delete the test user', true, 'deleted'],
    ]);
    expect(gateway.requests).toEqual([]);
    expect(cognito.operations().at(-1)).toBe('AdminDeleteUser');
  });

  it('fails when Cognito refuses to create the user, and deletes nothing it did not create', async () => {
    const { result, gateway, cognito } = await smoke({
      cognitoResponses: { AdminCreateUser: 'AdminCreateUser.AccessDeniedException.json' },
    });

    expect(result.ok).toBe(false);
    expect(result.steps).toHaveLength(1);
    expect(result.steps[0]?.detail).toMatch(
      /^AccessDeniedException: User: .* is not authorized to perform: cognito-idp:AdminCreateUser /,
    );
    expect(cognito.operations()).toEqual(['AdminCreateUser']);
    expect(gateway.requests).toEqual([]);
  });

  it('fails when the test user cannot be deleted, and says how to delete it by hand', async () => {
    const { result } = await smoke({
      cognitoResponses: { AdminDeleteUser: 'AdminDeleteUser.AccessDeniedException.json' },
    });

    expect(result.ok).toBe(false);
    const last = result.steps.at(-1);
    expect(last?.name).toBe('cleanup: delete the test user');
    expect(last?.ok).toBe(false);
    const deniedMessage = String(smokeFixture('AdminDeleteUser.AccessDeniedException.json').Message);
    expect(last?.detail).toBe(
      `AccessDeniedException: ${deniedMessage}; delete it by hand: aws cognito-idp admin-delete-user --user-pool-id ${USER_POOL_ID} --username ${result.email}`,
    );
    // Every API step before it passed, and the pet is gone.
    expect(result.steps.slice(0, -1).every((step) => step.ok)).toBe(true);
    expect(await service.petStatus(result.petId)).toBe(404);
  });

  it("fails on the first read with the gateway's message when the service behind it is unreachable", async () => {
    const { result, gateway } = await smoke({}, 'http://127.0.0.1:1');

    expect(result.ok).toBe(false);
    const failed = result.steps.filter((step) => !step.ok);
    expect(failed).toHaveLength(1);
    expect(failed[0]?.name).toMatch(/^GET .* without a token → 404$/);
    expect(failed[0]?.detail).toBe('expected 404, got 503 (message: Service Unavailable)');
    expect(gateway.requests).toHaveLength(1);
    expect(result.steps.at(-1)?.name).toBe('cleanup: delete the test user');
  });
});

/** The API's execute-api address, answering every request with `status` as API Gateway's would. */
async function startExecuteApiStandIn(status: number) {
  const paths: string[] = [];
  const server = createServer((request, response) => {
    paths.push(`${request.method} ${request.url}`);
    response.writeHead(status, { 'content-type': 'application/json' });
    response.end(JSON.stringify(status === 403 ? { message: 'Forbidden' } : { items: [] }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    paths,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe('runSmokeTest of a stack with a custom domain', () => {
  it('first checks that the execute-api address, turned off, refuses; then walks the pet at the domain', async () => {
    const executeApi = await startExecuteApiStandIn(403);
    try {
      const { result } = await smoke({}, service.url, executeApi.url);
      expect(result.ok).toBe(true);
      expect(result.steps[0]).toMatchObject({
        name: `GET ${executeApi.url}/petstore/pets → 403 (turned off by the custom domain)`,
        ok: true,
      });
      expect(result.steps).toHaveLength(11);
      expect(executeApi.paths).toEqual(['GET /petstore/pets']);
    } finally {
      await executeApi.close();
    }
  });

  it('fails, before creating a user, when the execute-api address still answers', async () => {
    const executeApi = await startExecuteApiStandIn(200);
    try {
      const { result, gateway, cognito } = await smoke({}, service.url, executeApi.url);
      expect(result.ok).toBe(false);
      expect(result.steps.map((step) => [step.ok, step.detail])).toEqual([
        [false, 'expected 403, got 200 (body: {"items":[]})'],
      ]);
      expect(gateway.requests).toEqual([]);
      expect(cognito.operations()).toEqual([]);
    } finally {
      await executeApi.close();
    }
  });
});

describe('testUserPassword', () => {
  it('meets the pool’s password policy every time, and never repeats', () => {
    const passwords = Array.from({ length: 200 }, testUserPassword);
    expect(passwords.filter((password) => !meetsPasswordPolicy(password))).toEqual([]);
    expect(new Set(passwords).size).toBe(passwords.length);
  });
});
