// The answer to a request Node's HTTP parser rejects (errors as llhttp raises them).
import test from 'ava';
import { clientErrorAnswer, clientErrorResponse } from '../../src/proxy/client-error.js';

const parserError = (code: string) => Object.assign(new Error(`Parse Error: ${code}`), { code });

test('431 for an oversized head, 408 for a stalled one, 413 for chunk extensions, 400 otherwise, none when the app has gone', (t) => {
  t.like(clientErrorAnswer(parserError('HPE_HEADER_OVERFLOW')), { status: 431, code: 'HEADERS_TOO_LARGE' });
  t.like(clientErrorAnswer(parserError('ERR_HTTP_REQUEST_TIMEOUT')), { status: 408, code: 'HEADER_TIMEOUT' });
  t.like(clientErrorAnswer(parserError('HPE_CHUNK_EXTENSIONS_OVERFLOW')), { status: 413 });
  for (const code of [
    'HPE_INVALID_METHOD',
    'HPE_INVALID_CHUNK_SIZE',
    'HPE_UNEXPECTED_CONTENT_LENGTH',
    'HPE_INVALID_HEADER_TOKEN',
    'HPE_INVALID_EOF_STATE',
  ])
    t.like(clientErrorAnswer(parserError(code)), { status: 400, code: 'BAD_REQUEST' }, code);
  t.is(clientErrorAnswer(parserError('ECONNRESET')), null);
  t.is(clientErrorAnswer(parserError('EPIPE')), null);
});

test('the response closes the connection and says why in one line', (t) => {
  const text = clientErrorResponse(
    { status: 431, reason: 'Request Header Fields Too Large' },
    'malformed request (HPE_HEADER_OVERFLOW)',
  );
  t.regex(text, /^HTTP\/1\.1 431 Request Header Fields Too Large\r\n/);
  t.regex(text, /\r\nConnection: close\r\n/);
  const [head, body] = text.split('\r\n\r\n');
  t.is(Number(/Content-Length: (\d+)/.exec(head!)?.[1]), Buffer.byteLength(body!));
  t.is(body, 'tlswitness: malformed request (HPE_HEADER_OVERFLOW)\n');
});
