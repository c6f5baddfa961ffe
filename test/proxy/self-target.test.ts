// Whether a target is the proxy itself: by address and port, for every spelling.
import test from 'ava';
import { parseResolve } from '../../src/net/target.js';
import { checkSelfTarget, isSelfAddress, selfListener } from '../../src/proxy/self-target.js';

const self = selfListener('127.0.0.1', [8080, 41000], []);
const none = parseResolve([]);

test('every loopback spelling on the proxy port (or the library port) is the proxy', (t) => {
  for (const host of [
    '127.0.0.1',
    '127.1',
    '0',
    '2130706433',
    '::ffff:127.0.0.1',
    '[::ffff:127.0.0.1]',
    '::1',
    '0x7f.1',
    '127.0.0.2',
    '0.0.0.0',
    '::',
    'localhost',
    'localhost.',
    'LocalHost',
    'x.localhost',
  ]) {
    t.deepEqual(checkSelfTarget(self, { host, port: 8080 }, none), { self: true }, host);
    t.deepEqual(checkSelfTarget(self, { host, port: 41000 }, none), { self: true }, `${host} (library port)`);
  }
});

test('another port is never the proxy, and costs no lookup', (t) => {
  for (const host of ['127.0.0.1', '127.1', 'localhost', 'example.test'])
    t.deepEqual(checkSelfTarget(self, { host, port: 8081 }, none), { self: false }, host);
});

test('another address on the proxy port is not the proxy; a name needs a lookup', (t) => {
  t.deepEqual(checkSelfTarget(self, { host: '10.0.0.1', port: 8080 }, none), { self: false });
  t.deepEqual(checkSelfTarget(self, { host: '::ffff:10.0.0.1', port: 8080 }, none), { self: false });
  t.deepEqual(checkSelfTarget(self, { host: 'example.test', port: 8080 }, none), { lookup: 'example.test' });
});

test('--resolve pins decide for the names they cover, as the connector dials them', (t) => {
  const resolve = parseResolve([
    'loop.test:8080:127.0.0.1',
    'away.test:8080:10.0.0.9',
    'mixed.test:8080:10.0.0.9,[::1]',
    'localhost:8080:10.0.0.9',
  ]);
  t.deepEqual(checkSelfTarget(self, { host: 'loop.test', port: 8080 }, resolve), { self: true });
  t.deepEqual(checkSelfTarget(self, { host: 'LOOP.test', port: 8080 }, resolve), { self: true });
  t.deepEqual(checkSelfTarget(self, { host: 'away.test', port: 8080 }, resolve), { self: false });
  t.deepEqual(checkSelfTarget(self, { host: 'mixed.test', port: 8080 }, resolve), { self: true });
  t.deepEqual(checkSelfTarget(self, { host: 'localhost', port: 8080 }, resolve), { self: false }, 'pinned elsewhere');
});

test('a wildcard bind adds every interface address; a specific bind adds its own', (t) => {
  const wild = selfListener('0.0.0.0', [8080], ['127.0.0.1', '192.168.1.5', 'fe80::1', '::1']);
  t.true(isSelfAddress(wild, '192.168.1.5', 8080));
  t.true(isSelfAddress(wild, '::ffff:192.168.1.5', 8080));
  t.false(isSelfAddress(wild, '192.168.1.6', 8080));
  const lan = selfListener('10.1.2.3', [8080, 0], []);
  t.deepEqual(lan.ports, [8080]);
  t.true(isSelfAddress(lan, '10.1.2.3', 8080));
  t.true(isSelfAddress(lan, '127.0.0.1', 8080), 'loopback always: the library listens there');
  t.false(isSelfAddress(lan, '10.1.2.3', 9090));
  t.false(isSelfAddress(lan, 'example.test', 8080), 'a name is not an address');
});
