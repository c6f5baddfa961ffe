// When the probe's anchors reach OpenSSL: at the gate, through the native context's addCACert, and on a
// Node whose native context has none, not at all (no OpenSSL verdict, as without anchors).
import test from 'ava';
import { createSecureContext, type SecureContext } from 'node:tls';
import { AnchorHold, type ProbeAnchors } from '../../src/tls/probe-anchors.js';
import type { FlightReader } from '../../src/tls/flight-reader.js';
import type { WireTap } from '../../src/tls/wire-tap.js';

const anchors: ProbeAnchors = { key: {}, pems: () => ['anchor'], reachable: () => ['anchor'], name: null };
const read = (() => null) as unknown as FlightReader;

/** A tap that only records whether a gate was set on it. */
function tap(): WireTap & { gated: boolean } {
  const fake = { gated: false, setGate: () => (fake.gated = true), release: () => undefined };
  return fake as unknown as WireTap & { gated: boolean };
}

test('with addCACert on the native context the server’s bytes are held at the gate, and the anchors kept', (t) => {
  const hold = new AnchorHold(anchors, true);
  const held = tap();
  hold.gate(held, [], createSecureContext({ ca: [] }), read);
  t.true(hold.gated);
  t.true(held.gated);
  t.is(hold.anchors, anchors);
});

test('a Node whose native context has no addCACert: nothing is held, and no anchors (no OpenSSL verdict)', async (t) => {
  // The native context as a future Node might make it (docs/design.md, Node internals it relies on).
  const context = { context: {} } as SecureContext;
  const hold = new AnchorHold(anchors, true);
  const held = tap();
  hold.gate(held, [], context, read);
  t.false(held.gated);
  t.is(hold.anchors, null);
  const loading = new AnchorHold(Promise.reject(new Error('store failed')), true);
  loading.gate(tap(), [], context, read);
  await new Promise((resolve) => setImmediate(resolve));
  t.is(loading.anchors, null, 'a store failing to load is no unhandled rejection');
  const bare = new AnchorHold(anchors, true);
  bare.gate(tap(), [], {} as SecureContext, read);
  t.is(bare.anchors, null, 'no native context at all');
});
