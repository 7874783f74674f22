import http from 'node:http';
import { type AddressInfo, connect } from 'node:net';
import { exportJWK, generateKeyPair, type JWTPayload, SignJWT } from 'jose';
import type { Endpoint } from '../../scripts/local/cloud-map';
import { type Gateway, MAX_REQUEST_HEAD_BYTES, startGateway } from '../../scripts/local/gateway';
import { api, CLIENT_ID, ISSUER, integration, SERVICE_ID, WRITE_SCOPE } from './gateway-api';

/** Keys the identity provider signs with, served as a real JWKS over HTTP, and a second pair nobody trusts. */
const trusted = await generateKeyPair('RS256');
const untrusted = await generateKeyPair('RS256');
const hmacKey = new TextEncoder().encode('a-shared-secret-of-at-least-32-bytes!!');

function listen(server: http.Server): Promise<string> {
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () =>
      resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`),
    );
  });
}

const jwks = http.createServer(async (_request, response) => {
  const jwk = { ...(await exportJWK(trusted.publicKey)), kid: 'key-1', alg: 'RS256', use: 'sig' };
  response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [jwk] }));
});
/** The task: answers with what reached it. */
const upstream = http.createServer((request, response) => {
  let body = '';
  request.on('data', (chunk) => {
    body += chunk;
  });
  request.on('end', () => {
    response
      .writeHead(200, { 'content-type': 'application/json', 'x-upstream': 'yes' })
      .end(JSON.stringify({ method: request.method, url: request.url, headers: request.headers, body }));
  });
});

let endpoints: Endpoint[] = [];
let gateway: Gateway;
let jwksUrl: string;

beforeAll(async () => {
  jwksUrl = await listen(jwks);
  const upstreamUrl = new URL(await listen(upstream));
  endpoints = [{ host: upstreamUrl.hostname, port: Number(upstreamUrl.port) }];
  gateway = await startGateway({
    api,
    jwksUrl: () => new URL(`${jwksUrl}/.well-known/jwks.json`),
    endpoints: async (serviceId) => (serviceId === SERVICE_ID ? endpoints : []),
    port: 0,
  });
});

afterAll(async () => {
  await gateway.close();
  jwks.close();
  upstream.close();
});

async function accessToken(
  claims: JWTPayload = {},
  options: { key?: Parameters<SignJWT['sign']>[0]; alg?: string; kid?: string } = {},
): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({
    token_use: 'access',
    client_id: CLIENT_ID,
    scope: `${WRITE_SCOPE} aws.cognito.signin.user.admin`,
    ...claims,
  })
    .setProtectedHeader({ alg: options.alg ?? 'RS256', kid: options.kid ?? 'key-1' })
    .setIssuer(typeof claims.iss === 'string' ? claims.iss : ISSUER)
    .setIssuedAt(typeof claims.iat === 'number' ? claims.iat : now)
    .setExpirationTime(typeof claims.exp === 'number' ? claims.exp : now + 600)
    .sign(options.key ?? trusted.privateKey);
}

/** An ID token: the client id in `aud`, no scope. */
function idToken(): Promise<string> {
  return accessToken({ token_use: 'id', aud: CLIENT_ID, client_id: undefined, scope: undefined });
}

/** Sends `head` as is (it ends with connection: close) and returns the whole answer. */
async function rawRequest(head: string): Promise<string> {
  const socket = connect(Number(new URL(gateway.url).port), '127.0.0.1');
  socket.on('error', () => {});
  let answer = '';
  socket.on('data', (chunk) => {
    answer += chunk;
  });
  // Written, not ended: a half-close would end the gateway's side before it could answer.
  socket.write(head);
  await new Promise((resolve) => socket.once('close', resolve));
  return answer;
}

async function send(method: string, path: string, headers: Record<string, string> = {}, body?: string) {
  const response = await fetch(`${gateway.url}${path}`, { method, headers, body });
  const text = await response.text();
  return { status: response.status, headers: response.headers, text, json: () => JSON.parse(text) };
}

describe('the local gateway', () => {
  test('a public route reaches the task with the path and query as sent', async () => {
    const response = await send('GET', '/petstore/pets?limit=2');
    expect(response.status).toBe(200);
    expect(response.headers.get('x-upstream')).toBe('yes');
    expect(response.json()).toMatchObject({ method: 'GET', url: '/petstore/pets?limit=2' });
  });

  test("the integration's request parameters overwrite x-request-id with the gateway's request id", async () => {
    const response = await send('GET', '/petstore/pets/rex', { 'x-request-id': 'chosen-by-the-client' });
    const requestId = response.headers.get('apigw-requestid');
    expect(requestId).toMatch(/^[A-Za-z0-9+/]{14}==$/);
    expect(response.json().headers['x-request-id']).toBe(requestId);
  });

  test('a literal segment wins over a {variable}, and only its integration sets its headers', async () => {
    const mine = await send('GET', '/petstore/pets/mine');
    const requestId = mine.headers.get('apigw-requestid');
    expect(mine.json().headers['x-route']).toBe(`mine, request ${requestId}`);
    expect((await send('GET', '/petstore/pets/rex')).json().headers['x-route']).toBeUndefined();
  });

  test('an unknown path, and a known path with a method no route has, get 404 {"message":"Not Found"}', async () => {
    for (const [method, path] of [
      ['GET', '/nope'],
      ['PUT', '/petstore/pets/rex'],
      ['GET', '/petstore/pets/rex/extra'],
      ['GET', '/petstore/pets/'],
    ] as const) {
      const response = await send(method, path);
      expect({ method, path, status: response.status, text: response.text }).toEqual({
        method,
        path,
        status: 404,
        text: '{"message":"Not Found"}',
      });
    }
  });

  test('a write without a token gets 401 {"message":"Unauthorized"} and never reaches the task', async () => {
    const response = await send('POST', '/petstore/pets/rex', {}, '{}');
    expect(response.status).toBe(401);
    expect(response.text).toBe('{"message":"Unauthorized"}');
    expect(response.headers.get('www-authenticate')).toContain('error="invalid_token"');
    expect(response.headers.get('x-upstream')).toBeNull();
  });

  test('an access token with the route scope is let through, with or without "Bearer "', async () => {
    const token = await accessToken();
    for (const authorization of [`Bearer ${token}`, token]) {
      const response = await send('POST', '/petstore/pets/rex', { authorization }, '{"name":"Rex"}');
      expect(response.status).toBe(200);
      expect(response.json()).toMatchObject({ method: 'POST', body: '{"name":"Rex"}' });
      // The token goes on to the service, as API Gateway forwards it.
      expect(response.json().headers.authorization).toBe(authorization);
    }
  });

  test('a correctly signed token without kid, or without exp, gets 401, as API Gateway validates both', async () => {
    const now = Math.floor(Date.now() / 1000);
    const claims = { client_id: CLIENT_ID, scope: WRITE_SCOPE };
    const noKid = await new SignJWT(claims)
      .setProtectedHeader({ alg: 'RS256' })
      .setIssuer(ISSUER)
      .setIssuedAt(now)
      .setExpirationTime(now + 600)
      .sign(trusted.privateKey);
    const noExp = await new SignJWT(claims)
      .setProtectedHeader({ alg: 'RS256', kid: 'key-1' })
      .setIssuer(ISSUER)
      .setIssuedAt(now)
      .sign(trusted.privateKey);
    for (const [token, why] of [
      [noKid, 'the token has no kid matching the issuer keys'],
      [noExp, 'the token has no expiration'],
    ] as const) {
      const response = await send('POST', '/petstore/pets/rex', { authorization: `Bearer ${token}` }, '{}');
      expect(response.status).toBe(401);
      expect(response.text).toBe('{"message":"Unauthorized"}');
      expect(response.headers.get('www-authenticate')).toContain(`error_description="${why}"`);
      expect(response.headers.get('x-upstream')).toBeNull();
    }
  });

  test('a request line and headers over 10,240 bytes get 431 and never reach the task; just under passes', async () => {
    const head = (padding: number) =>
      `GET /petstore/pets/rex HTTP/1.1\r\nhost: a\r\nconnection: close\r\nx-pad: ${'p'.repeat(padding)}\r\n\r\n`;
    const base = Buffer.byteLength(head(0));
    const over = await rawRequest(head(MAX_REQUEST_HEAD_BYTES - base + 1));
    expect(over).toMatch(/^HTTP\/1\.1 431 /);
    expect(over).not.toContain('x-upstream');
    const under = await rawRequest(head(MAX_REQUEST_HEAD_BYTES - base - 200));
    expect(under).toMatch(/^HTTP\/1\.1 200 /);
  });

  test('two Host fields get 400 {"message":"Bad Request"} (RFC 9112 §3.2) and never reach the task', async () => {
    const answer = await rawRequest(
      'GET /petstore/pets/rex HTTP/1.1\r\nhost: a\r\nhost: b\r\nconnection: close\r\n\r\n',
    );
    expect(answer).toMatch(/^HTTP\/1\.1 400 /);
    expect(answer).toContain('{"message":"Bad Request"}');
    expect(answer).not.toContain('x-upstream');
  });

  test('an ID token (aud, no scope) passes where no scope is required and gets 403 where one is', async () => {
    const authorization = `Bearer ${await idToken()}`;
    expect((await send('DELETE', '/petstore/pets/rex', { authorization })).status).toBe(200);
    const write = await send('POST', '/petstore/pets/rex', { authorization }, '{}');
    expect(write.status).toBe(403);
    expect(write.text).toBe('{"message":"Forbidden"}');
    expect(write.headers.get('www-authenticate')).toContain('error="insufficient_scope"');
  });

  const refused: [string, () => Promise<string>, string][] = [
    ['expired', () => accessToken({ exp: Math.floor(Date.now() / 1000) - 5 }), 'the token has expired'],
    [
      'issued in the future',
      () => accessToken({ iat: Math.floor(Date.now() / 1000) + 300 }),
      'in the future',
    ],
    ['not valid yet', () => accessToken({ nbf: Math.floor(Date.now() / 1000) + 300 }), 'not valid yet'],
    [
      'from another issuer',
      () => accessToken({ iss: 'https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Other' }),
      'valid issuer',
    ],
    ['for another client', () => accessToken({ client_id: 'other-client' }), 'valid audience'],
    [
      'with an aud of another client (aud wins over client_id)',
      () => accessToken({ aud: 'other-client' }),
      'valid audience',
    ],
    ['signed by an untrusted key', () => accessToken({}, { key: untrusted.privateKey }), 'signature'],
    ['with an unknown kid', () => accessToken({}, { kid: 'key-2' }), 'kid'],
    ['signed with HMAC', () => accessToken({}, { key: hmacKey, alg: 'HS256' }), 'RSA'],
    ['that is not a JWT', async () => 'not-a-token', 'invalid'],
  ];
  test.each(refused)('a token %s gets 401', async (_case, makeToken, reason) => {
    const response = await send('DELETE', '/petstore/pets/rex', {
      authorization: `Bearer ${await makeToken()}`,
    });
    expect(response.status).toBe(401);
    expect(response.text).toBe('{"message":"Unauthorized"}');
    expect(response.headers.get('www-authenticate')).toContain(reason);
  });

  test('with no task registered the gateway answers 503 {"message":"Service Unavailable"}', async () => {
    const saved = endpoints;
    endpoints = [];
    try {
      const response = await send('GET', '/petstore/pets');
      expect(response.status).toBe(503);
      expect(response.text).toBe('{"message":"Service Unavailable"}');
    } finally {
      endpoints = saved;
    }
  });

  test('a registered task that refuses connections gets 503 too', async () => {
    const saved = endpoints;
    const closed = http.createServer();
    const url = new URL(await listen(closed));
    await new Promise((resolve) => closed.close(resolve));
    endpoints = [{ host: url.hostname, port: Number(url.port) }];
    try {
      expect((await send('GET', '/petstore/pets')).status).toBe(503);
    } finally {
      endpoints = saved;
    }
  });

  test('CORS: the gateway answers preflights itself and names only allowed origins', async () => {
    const preflight = await send('OPTIONS', '/petstore/pets/rex', {
      origin: 'http://localhost:3000',
      'access-control-request-method': 'POST',
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('http://localhost:3000');
    expect(preflight.headers.get('access-control-allow-methods')).toBe('GET,POST');
    expect(preflight.headers.get('x-upstream')).toBeNull();
    const stranger = await send('GET', '/petstore/pets', { origin: 'https://evil.example' });
    expect(stranger.status).toBe(200);
    expect(stranger.headers.get('access-control-allow-origin')).toBeNull();
  });
});

describe('the local gateway and a slow task', () => {
  test("a task that does not answer within the integration's timeout gets 504", async () => {
    const silent = http.createServer(() => {});
    const url = new URL(await listen(silent));
    const slow = await startGateway({
      api: {
        routes: [
          { method: 'GET', path: '/slow', scopes: [], integration: { ...integration, timeoutMillis: 100 } },
        ],
      },
      jwksUrl: () => new URL(`${jwksUrl}/.well-known/jwks.json`),
      endpoints: async () => [{ host: url.hostname, port: Number(url.port) }],
      port: 0,
    });
    try {
      const response = await fetch(`${slow.url}/slow`);
      expect(response.status).toBe(504);
      expect(await response.text()).toBe('{"message":"Service Unavailable"}');
    } finally {
      await slow.close();
      silent.closeAllConnections();
      silent.close();
    }
  });
});
