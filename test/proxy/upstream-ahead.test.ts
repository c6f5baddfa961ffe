// The TCP connections opened ahead of a new host's dial: one already up is handed over in the same
// turn (so the dial's ClientHello goes out before other work of that turn), one still connecting or
// gone through a promise.
import test from 'ava';
import { once } from 'node:events';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import type { Connection } from '../../src/net/connector.js';
import { openAhead, takeConnection, type AheadParts } from '../../src/proxy/upstream-ahead.js';

async function withOrigin(fn: (port: number, accepted: Socket[]) => Promise<void>): Promise<void> {
  const accepted: Socket[] = [];
  const server = createServer((socket) => accepted.push(socket));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  try {
    await fn((server.address() as AddressInfo).port, accepted);
  } finally {
    for (const socket of accepted) socket.destroy();
    await new Promise((resolve) => server.close(resolve));
  }
}

function parts(): AheadParts {
  return {
    upstream: { resolve: new Map(), proxyFor: () => null, timeoutMs: 5_000 },
    closed: false,
    ahead: new Map(),
  };
}

test('a connection opened ahead and up is taken at once, not through a promise', async (t) => {
  await withOrigin(async (port) => {
    const ahead = parts();
    const target = { host: '127.0.0.1', port };
    openAhead(ahead, target);
    const opening = ahead.ahead.get(`127.0.0.1:${port}`)!;
    const up = await opening;
    // The turn after it came up (its own bookkeeping runs in the same one).
    await new Promise((resolve) => setImmediate(resolve));
    const taken = takeConnection(ahead, target);
    t.false(taken instanceof Promise);
    t.is(taken as Connection, up);
    t.is(ahead.ahead.size, 0, 'taken once');
    const next = takeConnection(ahead, target);
    t.true(next instanceof Promise, 'none left ahead: a new one is opened');
    (await next).socket.destroy();
    up.socket.destroy();
  });
});

test('one still connecting is taken through its promise; one closed meanwhile is replaced', async (t) => {
  await withOrigin(async (port, accepted) => {
    const ahead = parts();
    const target = { host: '127.0.0.1', port };
    openAhead(ahead, target);
    const connecting = takeConnection(ahead, target);
    t.true(connecting instanceof Promise);
    const first = await connecting;
    t.false(first.socket.destroyed);
    openAhead(ahead, target);
    const second = await ahead.ahead.get(`127.0.0.1:${port}`)!;
    second.socket.destroy();
    const replaced = takeConnection(ahead, target);
    t.true(replaced instanceof Promise, 'a closed one is not handed over');
    const third = await replaced;
    t.not(third, second);
    t.false(third.socket.destroyed);
    t.true(accepted.length >= 2);
    first.socket.destroy();
    third.socket.destroy();
  });
});
