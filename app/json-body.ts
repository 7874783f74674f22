import type { FastifyRequest } from 'fastify';
import { ClientError } from './errors';

// Fatal: invalid UTF-8 is refused rather than silently turned into U+FFFD.
const utf8 = new TextDecoder('utf-8', { fatal: true });

type ParseString = (
  request: FastifyRequest,
  body: string,
  done: (error: Error | null, body?: unknown) => void,
) => void;

/** The charset parameter of a Content-Type, lower-cased and unquoted; `undefined` when absent. */
function charsetOf(contentType: string | undefined): string | undefined {
  const match = /;\s*charset\s*=\s*("?)([^";\s]*)\1/i.exec(contentType ?? '');
  return match?.[2]?.toLowerCase();
}

/**
 * Fastify's JSON parser reads any body as UTF-8 whatever its charset or Content-Encoding says, and
 * replaces invalid bytes: a Latin-1 or gzip body would be stored garbled or answered with a
 * confusing 400. Refuse what the service cannot read (415) and bytes that are not UTF-8 (400),
 * then parse with Fastify's own parser (which also refuses `__proto__` and `constructor` keys).
 */
export function jsonBodyParser(parseString: ParseString) {
  return (request: FastifyRequest, body: Buffer, done: (error: Error | null, body?: unknown) => void) => {
    const encoding = request.headers['content-encoding'];
    if (encoding !== undefined && encoding.trim().toLowerCase() !== 'identity') {
      done(
        new ClientError(415, 'Content-Encoding is not supported; send the body uncompressed', {
          'accept-encoding': 'identity',
        }),
      );
      return;
    }
    const charset = charsetOf(request.headers['content-type']);
    if (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8') {
      done(new ClientError(415, 'Send the pet as JSON in UTF-8 (charset=utf-8, or no charset)'));
      return;
    }
    let text: string;
    try {
      text = utf8.decode(body);
    } catch {
      done(new ClientError(400, 'Body is not valid UTF-8'));
      return;
    }
    parseString(request, text, done);
  };
}
