// A long Content-Length response body taken from the upstream TLS socket's own chunks rather than from
// Node's HTTP parser. The parser copies every body chunk into a new buffer and calls into JavaScript
// with it (node_http_parser.cc on_body: Buffer::Copy, then MakeCallback), once per 16 KiB TLS record of
// a download, and the IncomingMessage stream passes the copy on again. With no body callback set,
// on_body returns at once, so the parser only counts the body down: the message still ends where
// Content-Length says and Node frees the connection for keep-alive as it always does.
import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';

/** Shorter bodies go through the parser: they fit in a few records, and taking them costs a listener each. */
export const RAW_BODY_MIN_BYTES = 64 * 1024;

/** Node's HTTP parser as the client keeps it on its socket (_http_client.js tickOnSocket), by callback slot. */
type ParserSlots = Record<string, unknown>;

/** The slot of the parser's body callback: where Node put parserOnBody (_http_common.js), or null. */
export function bodySlot(parser: ParserSlots): string | null {
  for (const slot of Object.keys(parser)) {
    const value = parser[slot];
    if (typeof value === 'function' && value.name === 'parserOnBody') return slot;
  }
  return null;
}

/**
 * The body's length when it may be taken raw: a Content-Length body of RAW_BODY_MIN_BYTES or more, not
 * chunked (the socket's bytes would carry the chunk framing), to a request other than HEAD, with a
 * status that has a body (RFC 9112 6.3), and no one else reading the body (a refused page is sampled).
 */
export function rawBodyLength(answer: IncomingMessage, method: string): number | null {
  const { statusCode = 0, headers } = answer;
  if (method === 'HEAD' || statusCode < 200 || statusCode === 204 || statusCode === 304) return null;
  const length = headers['content-length'];
  if (headers['transfer-encoding'] !== undefined || !length || !/^\d+$/.test(length)) return null;
  const bytes = Number(length);
  return bytes >= RAW_BODY_MIN_BYTES && answer.listenerCount('data') === 0 ? bytes : null;
}

/** How the relay holds the origin back while the app's side is full. */
export interface BodySource {
  pause(): void;
  resume(): void;
}

/**
 * Hands `answer`'s body to `chunk` straight from the socket, or returns null (the body is then answer's
 * to read). Call it in the 'response' handler: the part of the body in the chunk that carried the head
 * is being parsed then, and comes through the parser once. `answer` ends as usual; nothing is read from it.
 */
export function takeRawBody(answer: IncomingMessage, method: string, chunk: (body: Buffer) => void): BodySource | null {
  const socket = answer.socket as (Socket & { parser?: ParserSlots | null }) | null;
  const parser = socket?.parser;
  const length = rawBodyLength(answer, method);
  if (!socket || !parser || length === null) return null;
  const slot = bodySlot(parser);
  if (slot === null) return null;
  const onBody = parser[slot];
  let left = length;
  let taken = true;
  // Puts the parser back as Node made it (parsers are pooled and reused): once it has counted the
  // body's last byte, or when the connection closes before that.
  const done = () => {
    if (!taken) return;
    taken = false;
    parser[slot] = onBody;
    socket.off('data', fromSocket);
    socket.off('data', afterParser);
    socket.off('close', done);
  };
  // Every chunk after the head's is body until `left` runs out; prepended, this sees it before the
  // parser does (Node's socketOnData), so the body's bytes reach the app in order.
  const fromSocket = (data: Buffer) => {
    parser[slot] = null;
    // An origin that sends more than it announced: the excess is the parser's (an error, as without this).
    const body = data.length > left ? data.subarray(0, left) : data;
    left -= body.length;
    chunk(body);
  };
  const afterParser = () => {
    if (left <= 0) done();
  };
  parser[slot] = (body: Buffer) => {
    left -= body.length;
    if (left <= 0) done();
    chunk(body);
  };
  socket.prependListener('data', fromSocket);
  socket.on('data', afterParser);
  socket.once('close', done);
  answer.resume();
  return { pause: () => socket.pause(), resume: () => socket.resume() };
}
