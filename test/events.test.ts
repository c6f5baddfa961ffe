// The event bus: events reach every subscriber with the schema version stamped, records untouched.
import test from 'ava';
import { errorEvent, EventBus, type ProxyEvent } from '../src/events.js';
import { SCHEMA_VERSION } from '../src/schema-version.js';
import type { HandshakeRecord } from '../src/types.js';

test('an event published without schemaVersion reaches subscribers with it, right after type', (t) => {
  const bus = new EventBus();
  const seen: ProxyEvent[] = [];
  bus.subscribe((event) => seen.push(event));
  bus.publish({ type: 'error', time: '2026-11-23T10:00:00.000Z', code: 'BAD_CONNECT', message: 'refused CONNECT "x"' });
  t.is(seen.length, 1);
  t.deepEqual(Object.keys(seen[0]!), ['type', 'schemaVersion', 'time', 'code', 'message']);
  t.is(seen[0]!.schemaVersion, SCHEMA_VERSION);
});

test('a record that carries its version is passed on as the same object', (t) => {
  const bus = new EventBus();
  const record = { type: 'handshake', schemaVersion: SCHEMA_VERSION, id: 'h-1' } as HandshakeRecord;
  const seen: ProxyEvent[] = [];
  bus.subscribe((event) => seen.push(event));
  bus.publish(record);
  t.is(seen[0], record);
});

test('a subscriber that throws does not stop the others', (t) => {
  const bus = new EventBus();
  let reached = false;
  bus.subscribe(() => {
    throw new Error('broken front end');
  });
  bus.subscribe(() => (reached = true));
  bus.publish({ type: 'error', time: '2026-11-23T10:00:00.000Z', code: 'PROXY_ERROR', message: 'y' });
  t.true(reached);
});

test('errorEvent: the one shape of an error event, stamped now, host only when known', (t) => {
  const bus = new EventBus();
  const seen: ProxyEvent[] = [];
  bus.subscribe((event) => seen.push(event));
  const before = Date.now();
  bus.publish(errorEvent('TUNNEL_FAILED', 'tunnel to example.com:443: ECONNRESET', 'example.com'));
  bus.publish(errorEvent('BAD_CONNECT', 'refused CONNECT "x"'));
  t.deepEqual(
    seen.map((event) => Object.keys(event)),
    [
      ['type', 'schemaVersion', 'time', 'code', 'message', 'host'],
      ['type', 'schemaVersion', 'time', 'code', 'message'],
    ],
  );
  t.like(seen[0], { type: 'error', schemaVersion: SCHEMA_VERSION, code: 'TUNNEL_FAILED', host: 'example.com' });
  const time = Date.parse((seen[1] as { time: string }).time);
  t.true(time >= before - 1000 && time <= Date.now(), 'stamped with the current time');
});
