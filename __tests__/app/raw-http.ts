/** Talking to a service over a real socket, byte for byte, and checking its answers' shape. */
import { once } from 'node:events';
import { connect } from 'node:net';
import { closed } from './helpers';

export function expectApiError(
  response: { statusCode: number; headers: Record<string, unknown>; json(): unknown; body: string },
  statusCode: number,
  message: RegExp,
) {
  expect(response.statusCode).toBe(statusCode);
  expect(response.headers['content-type']).toMatch(/^application\/json/);
  expect(response.headers['x-request-id']).toEqual(expect.any(String));
  const body = response.json() as Record<string, unknown>;
  expect(Object.keys(body).sort()).toEqual(['error', 'message', 'statusCode']);
  expect(body.statusCode).toBe(statusCode);
  expect(body.message).toMatch(message);
}

/** Sends raw bytes over a new connection and returns everything the server sends back. */
export async function raw(baseUrl: string, bytes: string | Buffer): Promise<string> {
  const socket = connect(Number(new URL(baseUrl).port), '127.0.0.1');
  await once(socket, 'connect');
  // A server that answers a malformed request may reset the connection after its answer: that is fine.
  socket.on('error', () => {});
  socket.end(bytes);
  let answer = '';
  socket.on('data', (chunk) => {
    answer += chunk;
  });
  await closed(socket);
  return answer;
}

export function parseRaw(answer: string) {
  const [head = '', body = ''] = answer.split('\r\n\r\n');
  const [statusLine = '', ...headerLines] = head.split('\r\n');
  const headers = Object.fromEntries(
    headerLines.map((line) => [
      line.slice(0, line.indexOf(':')).toLowerCase(),
      line.slice(line.indexOf(':') + 1).trim(),
    ]),
  );
  return {
    statusCode: Number(statusLine.split(' ')[1]),
    headers,
    body,
    json: () => JSON.parse(body),
  };
}
