// The Node internals (and library internals) the proxy leans on for speed, asserted on the running Node:
// a Node upgrade that removes or changes one fails here, naming the source file and the docs/design.md
// entry, rather than quietly leaving the proxy on its slower path. Each code path also has a fallback
// for a Node without the internal, tested in the source file's own tests.
//
// What these internals do is tested elsewhere, and not again here:
// - the parser counting a body with its callback unset: test/proxy/raw-body.test.ts
// - a free connection handed over without addRequest, an origin's Keep-Alive hint read from
//   socket._httpMessage: test/proxy/upstream-pool.test.ts
// - res._keepAliveTimeout written as `Keep-Alive: timeout=N`: test/proxy/request-heads.test.ts
//   ("a kept-alive connection is told its idle time")
// - setCert after SSL_new leaving the earlier connection its own leaf: test/ca/leaf-minter.test.ts
//   ("a connection keeps the leaf it was made with"); setSessionIdContext: test/ca/leaf-minter-sessions.test.ts
// - the gc extension, a minor collection and a full one: test/gc-extension.test.ts,
//   test/proxy/young-collector.test.ts, test/cli/full-gc.test.ts
// - http-mitm-proxy's _onSocketError override and its pinned version: test/proxy/library-adapter.test.ts
import test from 'ava';
import { once } from 'node:events';
import { Agent, ClientRequest, createServer, get, type IncomingMessage, type ServerResponse } from 'node:http';
import net, { type AddressInfo, type Socket } from 'node:net';
import { checkServerIdentity, connect, createSecureContext, createServer as createTlsServer } from 'node:tls';
import { Proxy } from 'http-mitm-proxy';
import { lookUpGcExtension } from '../src/gc-extension.js';
import { bodySlot } from '../src/proxy/raw-body.js';
import { makeTestCa, type TestCa, type TestLeaf } from './helpers/pki.js';

/** The failure message: what is gone, which file needs it, where the docs say what it buys. */
const lost = (internal: string, src: string) =>
  `${internal} is gone or changed on Node ${process.version}: ${src} relies on it ` +
  `(docs/design.md, "Node internals it relies on": ${internal})`;

/** What one keep-alive exchange over plain HTTP on loopback shows of Node's HTTP internals. */
interface Exchange {
  parser: Record<string, unknown> | null;
  agent: Agent;
  request: ClientRequest;
  /** socket._httpMessage on the server's socket while the response is being made, and the response. */
  serverMessage: unknown;
  response: ServerResponse | null;
  keepAliveTimeout: unknown;
  /** socket._httpMessage.res.headers['keep-alive'] as the agent's keepSocketAlive reads it. */
  poolHint: unknown;
}

let exchange: Exchange;
test.before(async () => {
  const server = createServer((req, res) => {
    exchange.serverMessage = (req.socket as Socket & { _httpMessage?: unknown })._httpMessage;
    exchange.response = res;
    exchange.keepAliveTimeout = (res as ServerResponse & { _keepAliveTimeout?: unknown })._keepAliveTimeout;
    res.end('ok');
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const agent = new Agent({ keepAlive: true });
  const keepSocketAlive = agent.keepSocketAlive.bind(agent);
  agent.keepSocketAlive = (socket) => {
    const message = (socket as Socket & { _httpMessage?: { res?: IncomingMessage } })._httpMessage;
    exchange.poolHint = message?.res?.headers['keep-alive'];
    return keepSocketAlive(socket);
  };
  exchange = {
    parser: null,
    agent,
    request: null!,
    serverMessage: null,
    response: null,
    keepAliveTimeout: null,
    poolHint: null,
  };
  await new Promise<void>((resolve, reject) => {
    exchange.request = get({ host: '127.0.0.1', port: (server.address() as AddressInfo).port, agent }, (res) => {
      exchange.parser = (res.socket as Socket & { parser?: Record<string, unknown> }).parser ?? null;
      res.resume();
      res.on('end', () => setImmediate(resolve));
    });
    exchange.request.on('error', reject);
  });
  agent.destroy();
  server.close();
});

test("the HTTP client's parser keeps its body callback, named parserOnBody, in a slot of its own", (t) => {
  t.truthy(exchange.parser, lost('socket.parser', 'src/proxy/raw-body.ts'));
  t.not(bodySlot(exchange.parser ?? {}), null, lost('parserOnBody', 'src/proxy/raw-body.ts'));
});

test("the Agent's pool: freeSockets, sockets, reuseSocket and request.onSocket", (t) => {
  const src = 'src/proxy/upstream-pool.ts';
  const agent = exchange.agent as Agent & { reuseSocket?: unknown };
  t.is(typeof agent.freeSockets, 'object', lost('agent.freeSockets', src));
  t.is(typeof agent.sockets, 'object', lost('agent.sockets', src));
  t.is(typeof agent.reuseSocket, 'function', lost('agent.reuseSocket', src));
  t.is(typeof (ClientRequest.prototype as { onSocket?: unknown }).onSocket, 'function', lost('request.onSocket', src));
  t.is(exchange.poolHint, 'timeout=5', lost('socket._httpMessage', src));
});

test("a request's own timeout is its `timeout` field, which the pool reads to leave such a request to Node", (t) => {
  const src = 'src/proxy/upstream-pool.ts';
  const socket = new net.Socket();
  const request = new ClientRequest({ timeout: 1234, createConnection: () => socket, host: '127.0.0.1' });
  request.on('error', () => undefined);
  t.is((request as { timeout?: number }).timeout, 1234, lost('request.timeout', src));
  const untimed = new ClientRequest({ createConnection: () => socket, host: '127.0.0.1' });
  untimed.on('error', () => undefined);
  t.is((untimed as { timeout?: number }).timeout, undefined, lost('request.timeout', src));
  request.destroy();
  untimed.destroy();
  socket.destroy();
});

test("a server's response: socket._httpMessage is it, and it has its own _keepAliveTimeout", (t) => {
  t.is(exchange.serverMessage, exchange.response, lost('socket._httpMessage', 'src/proxy/request-heads.ts'));
  t.is(typeof exchange.keepAliveTimeout, 'number', lost('res._keepAliveTimeout', 'src/proxy/mitm-front.ts'));
});

test.serial("node:net's isIP can be replaced, and Node's TLS code looks it up at each call", async (t) => {
  const src = 'src/ip.ts';
  const descriptor = Object.getOwnPropertyDescriptor(net, 'isIP');
  t.true(descriptor?.writable, lost('node:net isIP', src));
  const original = net.isIP;
  const asked: string[] = [];
  net.isIP = (input: string) => (asked.push(input), original(input));
  const server = net.createServer((socket) => socket.destroy());
  try {
    checkServerIdentity('name.test', { subject: { CN: 'name.test' }, subjectaltname: 'DNS:name.test' } as never);
    t.true(asked.includes('name.test'), lost('node:net isIP (checkServerIdentity)', src));
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const port = (server.address() as AddressInfo).port;
    const socket = connect({ host: '127.0.0.1', port, servername: 'connect.test', rejectUnauthorized: false });
    socket.on('error', () => undefined);
    socket.destroy();
    t.true(asked.includes('connect.test'), lost('node:net isIP (tls.connect)', src));
  } finally {
    net.isIP = original;
    server.close();
  }
});

test("SecureContext's native context: setCert, setSessionIdContext and addCACert", (t) => {
  const native = createSecureContext({ ca: [] }).context as Record<string, unknown> | undefined;
  t.is(typeof native, 'object', lost('SecureContext.context', 'src/ca/leaf-minter.ts, src/tls/probe-anchors.ts'));
  if (!native) return;
  t.is(typeof native.setCert, 'function', lost('context.setCert', 'src/ca/leaf-minter.ts'));
  t.is(typeof native.setSessionIdContext, 'function', lost('context.setSessionIdContext', 'src/ca/leaf-minter.ts'));
  t.is(typeof native.addCACert, 'function', lost('context.addCACert', 'src/tls/probe-anchors.ts'));
});

let ca: TestCa;
let leaf: TestLeaf;
test.before(async () => {
  ca = await makeTestCa('Node Internals Test CA');
  leaf = await ca.issue(['internals.test']);
});

/** A TLS client of a loopback server of `leaf`, its context given `addAfter` right after the socket is made. */
async function handshake(addAfter: string | null) {
  const server = createTlsServer({ key: leaf.keyPem, cert: leaf.pem }, (socket) => socket.end());
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  try {
    const secureContext = createSecureContext({ ca: [] });
    const port = (server.address() as AddressInfo).port;
    const socket = connect({
      host: '127.0.0.1',
      port,
      servername: 'internals.test',
      secureContext,
      rejectUnauthorized: false,
    });
    if (addAfter) (secureContext.context as { addCACert(pem: string): void }).addCACert(addAfter);
    await once(socket, 'secureConnect');
    const handle = (socket as unknown as { _handle?: { verifyError?(): Error | null } })._handle;
    const facts = { authorized: socket.authorized, verifyError: handle?.verifyError?.() };
    socket.destroy();
    return facts;
  } finally {
    server.close();
  }
}

test('anchors added to a context after its socket was made count for that socket', async (t) => {
  t.true((await handshake(ca.pem)).authorized, lost('context.addCACert', 'src/tls/probe-anchors.ts'));
});

test("a TLS socket's _handle.verifyError gives OpenSSL's own text", async (t) => {
  const { authorized, verifyError } = await handshake(null);
  t.false(authorized);
  t.regex(
    verifyError?.message ?? '',
    /unable to (get local issuer|verify)/,
    lost('_handle.verifyError', 'src/tls/connection-facts.ts'),
  );
});

test("V8's gc extension is reachable without a flag", (t) => {
  t.is(typeof lookUpGcExtension(), 'function', lost('the gc extension', 'src/gc-extension.ts'));
});

test("the library internals the adapter reaches: http-mitm-proxy's private entry points", (t) => {
  const src = 'src/proxy/library-adapter.ts';
  const proxy = new Proxy() as unknown as Record<string, unknown>;
  for (const name of ['_onError', '_onSocketError', '_onHttpServerRequest'])
    t.is(typeof proxy[name], 'function', lost(`http-mitm-proxy ${name}`, src));
  t.is(typeof proxy.sslServers, 'object', lost('http-mitm-proxy sslServers', src));
});
