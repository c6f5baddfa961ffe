// node:net's isIP answered without its IPv6 expression: the same answers, put back after the call, and
// a real handshake probe that never asks node:net (whose first IPv6 run costs ~5 ms of a CLI run).
import test from 'ava';
import net from 'node:net';
import { ipFamily, withCheapIsIP } from '../src/ip.js';
import { makeFixtures, startScenarioServer } from './helpers/fixtures.js';
import { fixtureTrust, observeScenario } from './helpers/observe.js';

const texts = [
  'valid.example.com',
  'localhost',
  '127.0.0.1',
  '192.0.2.300',
  '::1',
  '2001:db8::1',
  '::ffff:192.0.2.1',
  'fe80::1%eth0',
  'host:443',
  '1:2',
  '',
];

// Serial: these replace node:net's isIP for the whole process while they run.
test.serial('withCheapIsIP answers isIP as node:net does, and puts it back, even when the call throws', (t) => {
  const original = net.isIP;
  for (const text of texts) {
    t.is(ipFamily(text) as number, original(text), text);
    t.is(
      withCheapIsIP(() => net.isIP(text)),
      original(text),
      text,
    );
  }
  t.is(net.isIP, original);
  t.throws(() =>
    withCheapIsIP(() => {
      throw new Error('inside');
    }),
  );
  t.is(net.isIP, original);
});

test('where node:net’s exports cannot be written, withCheapIsIP runs the call with Node’s own isIP', (t) => {
  const frozen = Object.freeze({ isIP: net.isIP });
  t.is(
    withCheapIsIP(() => frozen.isIP('::1'), frozen),
    6,
  );
  t.is(frozen.isIP, net.isIP);
});

test.serial('a probe with a servername never runs node:net isIP (tls.connect and the name check ask it)', async (t) => {
  const fixtures = await makeFixtures();
  const scenario = fixtures.pki.scenarios.valid!;
  const server = await startScenarioServer(scenario);
  const original = net.isIP;
  const asked: string[] = [];
  net.isIP = (input: string) => (asked.push(input), original(input));
  try {
    const record = await observeScenario(scenario, server.port, fixtureTrust(fixtures.pki));
    t.is(record.target.servername, 'valid.example.com');
    t.true(record.verification.ok);
    t.deepEqual(asked, []);
  } finally {
    net.isIP = original;
    await server.close();
    await fixtures.close();
  }
});
