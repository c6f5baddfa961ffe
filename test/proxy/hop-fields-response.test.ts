// The origin's hop-by-hop response fields (RFC 9110 7.6.1): which they are, however spelled, and that none
// of them reaches the app through the plain-HTTP proxy or the MITM, while the body's framing does and the
// origin's "Connection: close" ends the app's connection.
import test from 'ava';
import type { IncomingMessage } from 'node:http';
import { Agent, request as httpRequest } from 'node:http';
import type { Socket } from 'node:net';
import { endToEndResponseFields, responseHopFields } from '../../src/proxy/hop-fields.js';
import { appHeaders } from '../../src/proxy/mitm-forward.js';
import { makeFixtures, type Fixtures } from '../helpers/fixtures.js';
import { fixtureTrust } from '../helpers/observe.js';
import { startTestProxy, tlsViaProxy } from '../helpers/proxy.js';
import { inOrder, startRawOrigin } from '../helpers/raw-origin.js';

const hop = (headers: IncomingMessage['headers']) => {
  const fields = responseHopFields(headers);
  return fields && [...fields].sort();
};
const ALWAYS = ['keep-alive', 'proxy-connection', 'upgrade', 'trailer'];
const plus = (...names: string[]) => [...ALWAYS, ...names].sort();

test('no hop-by-hop field: nothing to do, the same object back (the per-response fast path)', (t) => {
  const headers = { 'content-type': 'text/plain', 'content-length': '2', 'transfer-encoding': 'chunked' };
  t.is(responseHopFields(headers), null);
  t.is(endToEndResponseFields(headers), headers);
});

test("the origin's Connection and what it lists, whatever the case, repeats or empty members", (t) => {
  t.deepEqual(hop({ connection: 'keep-alive' }), plus('connection'));
  t.deepEqual(hop({ connection: 'Keep-Alive, X-Hop' }), plus('connection', 'x-hop'));
  // Node joins repeated Connection headers with ", ".
  t.deepEqual(hop({ connection: 'X-A, , x-b ,\t,X-C,,' }), plus('connection', 'x-a', 'x-b', 'x-c'));
  t.deepEqual(hop({ connection: ',' }), plus('connection'));
  t.deepEqual(hop({ connection: 'CLOSE, X-Hop' }), plus('x-hop'), 'close keeps Connection itself');
});

test('Keep-Alive, Proxy-Connection or Upgrade alone are the origin connection’s, without a Connection header', (t) => {
  t.deepEqual(hop({ 'keep-alive': 'timeout=60, max=5' }), plus('connection'));
  t.deepEqual(hop({ 'proxy-connection': 'keep-alive' }), plus('connection'));
  t.deepEqual(hop({ upgrade: 'h2c' }), plus('connection'));
});

test('a listed end-to-end field is hop-by-hop, but never the framing: Content-Length, Transfer-Encoding', (t) => {
  t.deepEqual(
    endToEndResponseFields({
      connection: 'Content-Type, CONTENT-LENGTH, transfer-encoding, x-hop',
      'content-type': 'text/plain',
      'content-length': '2',
      'transfer-encoding': 'chunked',
      'x-hop': '1',
      'x-end': 'kept',
    }),
    { 'content-length': '2', 'transfer-encoding': 'chunked', 'x-end': 'kept' },
  );
});

test("the origin's close goes on as close alone: the fields it lists are gone", (t) => {
  t.deepEqual(
    endToEndResponseFields({ connection: 'x-hop, Close, content-length', 'x-hop': '1', 'content-length': '0' }),
    {
      connection: 'close',
      'content-length': '0',
    },
  );
});

test("Connection listing itself beside close: the close still goes on (else the app's connection stays open)", (t) => {
  t.deepEqual(endToEndResponseFields({ connection: 'close, Connection', 'x-o': '1' }), {
    'x-o': '1',
    connection: 'close',
  });
  t.deepEqual(endToEndResponseFields({ connection: 'connection, close' }), { connection: 'close' });
  t.deepEqual(hop({ connection: 'connection' }), plus('connection'));
});

test('MITM app headers: an Upgrade offer alone and a listed Content-Length', (t) => {
  const app = { headers: {} } as IncomingMessage;
  const origin = (headers: IncomingMessage['headers']) => ({ headers }) as IncomingMessage;
  t.deepEqual(appHeaders(origin({ upgrade: 'h2c', 'x-o': '1' }), app), { 'x-o': '1' });
  t.deepEqual(appHeaders(origin({ connection: 'Content-Length', 'content-length': '5' }), app), {
    'content-length': '5',
  });
});

/**
 * The attacker's spellings of an origin's own-connection fields: mixed case, two Connection headers, an
 * empty member, a listed end-to-end field (Content-Type) and the listed framing (Content-Length).
 */
const HOP_ANSWER =
  'HTTP/1.1 200 OK\r\nCONNECTION: Keep-Alive, X-Hop\r\nconnection: , x-two ,, Content-Type, Content-Length\r\n' +
  'X-Hop: 1\r\nX-TWO: 2\r\nKeep-Alive: timeout=60, max=5\r\nProxy-Connection: keep-alive\r\nUpgrade: h2c\r\n' +
  'Content-Type: text/plain\r\nX-End: kept\r\nContent-Length: 2\r\n\r\nok';
/** The origin's chunked framing, listed in Connection. */
const CHUNKED_ANSWER =
  'HTTP/1.1 200 OK\r\nConnection: Transfer-Encoding, x-hop\r\nx-hop: 1\r\nTransfer-Encoding: chunked\r\n\r\n' +
  '2\r\nok\r\n0\r\n\r\n';
/** A HEAD answer whose only word on the length is a listed Content-Length. */
const HEAD_ANSWER = 'HTTP/1.1 200 OK\r\nConnection: content-length\r\nContent-Length: 1234\r\n\r\n';
const CLOSE_ANSWER = 'HTTP/1.1 200 OK\r\nConnection: close, X-Hop\r\nX-Hop: 1\r\nContent-Length: 2\r\n\r\nok';

interface Answer {
  headers: IncomingMessage['headers'];
  raw: string[];
  body: string;
  socket: Socket;
}

/** One request through `agent` (a single keep-alive connection to the proxy, as an app's). */
function get(agent: Agent, proxyPort: number, url: string, method = 'GET'): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ agent, host: '127.0.0.1', port: proxyPort, method, path: url }, (res) => {
      let body = '';
      res.setEncoding('latin1');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ headers: res.headers, raw: res.rawHeaders, body, socket: res.socket as Socket }));
    });
    req.on('error', reject);
    req.end();
  });
}

function checkNoOriginHop(t: import('ava').ExecutionContext, answer: Answer): void {
  for (const name of ['x-hop', 'x-two', 'proxy-connection', 'upgrade', 'content-type'])
    t.is(answer.headers[name], undefined, `${name} is the origin connection's`);
  t.not(answer.headers['keep-alive'], 'timeout=60, max=5', "the origin's idle hint is not the app's");
  t.is(answer.headers.connection, 'keep-alive', "the proxy's own");
  t.is(answer.headers['x-end'], 'kept');
  t.is(answer.headers['content-length'], '2');
  t.is(answer.body, 'ok');
}

let fixtures: Fixtures;
test.before(async () => {
  fixtures = await makeFixtures();
});
test.after.always(async () => fixtures?.close());

test("through the plain-HTTP proxy: none of the origin's own-connection fields reach the app; framing and close do", async (t) => {
  const origin = await startRawOrigin(inOrder([HOP_ANSWER, CHUNKED_ANSWER, HEAD_ANSWER, CLOSE_ANSWER]));
  const proxy = await startTestProxy(fixtureTrust(fixtures.pki), []);
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  try {
    const base = `http://127.0.0.1:${origin.port}`;
    const first = await get(agent, proxy.port, `${base}/hop`);
    checkNoOriginHop(t, first);
    const chunked = await get(agent, proxy.port, `${base}/chunked`);
    t.is(chunked.body, 'ok');
    t.is(chunked.headers['transfer-encoding'], 'chunked');
    t.is(chunked.headers['x-hop'], undefined);
    const head = await get(agent, proxy.port, `${base}/head`, 'HEAD');
    t.is(head.headers['content-length'], '1234', 'a HEAD answer keeps its length');
    const closing = await get(agent, proxy.port, `${base}/close`);
    t.is(closing.headers.connection, 'close', "the origin's close ends the app's connection");
    t.is(closing.headers['x-hop'], undefined);
    t.is(closing.body, 'ok');
    t.is(new Set([first, chunked, head].map((answer) => answer.socket)).size, 1, 'one app connection until the close');
    if (!closing.socket.destroyed) await new Promise((resolve) => closing.socket.once('close', resolve));
    t.pass('the app connection closed');
  } finally {
    agent.destroy();
    await proxy.close();
    await origin.close();
  }
});

test("plain HTTP: the origin's Keep-Alive hint, kept from the app, still tells the proxy how long to pool its connection", async (t) => {
  // timeout=1 leaves no time once Node's one-second margin is taken: the connection is not pooled.
  const short = 'HTTP/1.1 200 OK\r\nKeep-Alive: timeout=1\r\nContent-Length: 2\r\n\r\nok';
  const plain = 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok';
  const hinted = await startRawOrigin(inOrder([short, short]));
  const unhinted = await startRawOrigin(inOrder([plain, plain]));
  const proxy = await startTestProxy(fixtureTrust(fixtures.pki), []);
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  try {
    for (const origin of [hinted, unhinted])
      for (const path of ['/a', '/b']) {
        const answer = await get(agent, proxy.port, `http://127.0.0.1:${origin.port}${path}`);
        t.is(answer.body, 'ok');
        t.not(answer.headers['keep-alive'], 'timeout=1', "the origin's hint is not the app's");
      }
    t.is(hinted.state.connections, 2, 'a connection the origin is about to close is not kept for the next request');
    t.is(unhinted.state.connections, 1, 'without a hint it is');
  } finally {
    agent.destroy();
    await proxy.close();
    await hinted.close();
    await unhinted.close();
  }
});

test("through the MITM: likewise, the origin's own-connection fields stay with the proxy", async (t) => {
  const scenario = fixtures.pki.scenarios.valid!;
  const host = scenario.host ?? '127.0.0.1';
  const origin = await startRawOrigin(inOrder([HOP_ANSWER]), { key: scenario.keyPem, cert: scenario.sent.join('') });
  const proxy = await startTestProxy(fixtureTrust(fixtures.pki), [`${host}:${origin.port}:127.0.0.1`]);
  const tls = await tlsViaProxy(proxy.port, host, origin.port, { ca: [proxy.ca.certPem] });
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  (agent as unknown as { createConnection: () => unknown }).createConnection = () => tls;
  try {
    checkNoOriginHop(t, await get(agent, origin.port, '/hop'));
  } finally {
    agent.destroy();
    tls.destroy();
    await proxy.close();
    await origin.close();
  }
});

/**
 * An origin's Trailer field, as an attacker or a careless server sends it: beside a length, on a 204, on a
 * HEAD answer, in another case, twice, and on a chunked answer that does send the trailer it announces.
 */
const TRAILER_ANSWERS = [
  'HTTP/1.1 200 OK\r\nTrailer: X-Sum\r\nContent-Length: 2\r\n\r\nok',
  'HTTP/1.1 204 No Content\r\nTRAILER: X-Sum\r\n\r\n',
  'HTTP/1.1 200 OK\r\ntrailer: X-Sum\r\nTrailer: X-Other\r\nContent-Length: 1234\r\n\r\n',
  'HTTP/1.1 200 OK\r\nTrailer: X-Sum\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\nX-Sum: 42\r\n\r\n',
];

async function checkTrailerAnswers(t: import('ava').ExecutionContext, agent: Agent, port: number, base: string) {
  const lengthed = await get(agent, port, `${base}/length`);
  t.is(lengthed.body, 'ok');
  t.is(lengthed.headers['content-length'], '2');
  const empty = await get(agent, port, `${base}/empty`);
  t.is(empty.body, '');
  const head = await get(agent, port, `${base}/head`, 'HEAD');
  t.is(head.headers['content-length'], '1234');
  const chunked = await get(agent, port, `${base}/chunked`);
  t.is(chunked.body, 'ok');
  for (const answer of [lengthed, empty, head, chunked])
    t.is(answer.headers.trailer, undefined, 'no trailer is passed on, so none is announced');
  t.is(new Set([lengthed, empty, head, chunked].map((answer) => answer.socket)).size, 1, 'one app connection');
}

test("plain HTTP: an origin's Trailer field (beside a length, on a 204 or a HEAD answer) is not passed on, and the proxy keeps serving", async (t) => {
  const origin = await startRawOrigin(inOrder([...TRAILER_ANSWERS, CLOSE_ANSWER]));
  const proxy = await startTestProxy(fixtureTrust(fixtures.pki), []);
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  try {
    const base = `http://127.0.0.1:${origin.port}`;
    await checkTrailerAnswers(t, agent, proxy.port, base);
    t.is((await get(agent, proxy.port, `${base}/next`)).body, 'ok', 'the proxy still serves');
  } finally {
    agent.destroy();
    await proxy.close();
    await origin.close();
  }
});

test("through the MITM: an origin's Trailer field is not passed on either, and the proxy keeps serving", async (t) => {
  const scenario = fixtures.pki.scenarios.valid!;
  const host = scenario.host ?? '127.0.0.1';
  const origin = await startRawOrigin(inOrder([...TRAILER_ANSWERS, CLOSE_ANSWER]), {
    key: scenario.keyPem,
    cert: scenario.sent.join(''),
  });
  const proxy = await startTestProxy(fixtureTrust(fixtures.pki), [`${host}:${origin.port}:127.0.0.1`]);
  const tls = await tlsViaProxy(proxy.port, host, origin.port, { ca: [proxy.ca.certPem] });
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  (agent as unknown as { createConnection: () => unknown }).createConnection = () => tls;
  try {
    await checkTrailerAnswers(t, agent, origin.port, '');
    t.is((await get(agent, origin.port, '/next')).body, 'ok', 'the proxy still serves');
  } finally {
    agent.destroy();
    tls.destroy();
    await proxy.close();
    await origin.close();
  }
});
