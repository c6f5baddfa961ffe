// A host whose record fails after its traffic passed the blocking checks is reported once for that
// recording, however many app connections waited on it.
import test from 'ava';
import { setImmediate as tick } from 'node:timers/promises';
import { makeFixtures, type Fixtures } from '../helpers/fixtures.js';
import { fixtureTrust } from '../helpers/observe.js';
import { fetchViaProxy, startHttpsOrigin, startTestProxy } from '../helpers/proxy.js';
import { withServer } from '../helpers/with-servers.js';
import { EventBus } from '../../src/events.js';
import { RecordFailures } from '../../src/proxy/record-failures.js';

let fixtures: Fixtures;
test.before(async () => {
  fixtures = await makeFixtures();
});
test.after.always(async () => fixtures?.close());

test('a deferred record that fails is one RECORD_FAILED event, not one per app connection', async (t) => {
  t.timeout(30_000);
  const scenario = fixtures.pki.scenarios.valid!;
  const host = scenario.host!;
  const origin = await startHttpsOrigin(scenario);
  let release: () => void = () => undefined;
  const failRecordsAfter = new Promise<void>((resolve) => (release = resolve));
  try {
    await withServer(
      () => startTestProxy(fixtureTrust(fixtures.pki), [`${host}:${origin.port}:127.0.0.1`], {}, { failRecordsAfter }),
      async (proxy) => {
        const url = `https://${host}:${origin.port}/`;
        // Five app connections, each accepted on the blocking checks while the record is still to come.
        const first = await fetchViaProxy(proxy.port, url, proxy.ca.certPem);
        const rest = await Promise.all([1, 2, 3, 4].map(() => fetchViaProxy(proxy.port, url, proxy.ca.certPem)));
        t.deepEqual(
          [first, ...rest].map((response) => response.status),
          [200, 200, 200, 200, 200],
        );
        release();
        const failed = await proxy.event((event) => event.type === 'error' && event.code === 'RECORD_FAILED');
        t.regex((failed as { message: string }).message, /injected record failure \(released\)/);
        // Every connection's handler runs off the same rejection: give them their turn before counting.
        for (let i = 0; i < 10; i++) await tick();
        const all = proxy.events.filter((event) => event.type === 'error' && event.code === 'RECORD_FAILED');
        t.is(all.length, 1, JSON.stringify(all));
      },
    );
  } finally {
    release();
    await origin.close();
  }
});

test('each recording attempt that fails is reported: the same failure once, a new attempt’s again', (t) => {
  const bus = new EventBus();
  const seen: string[] = [];
  bus.subscribe((event) => void (event.type === 'error' && seen.push(event.message)));
  const failures = new RecordFailures(bus);
  const target = { host: 'a.test', port: 443 };
  const first = new Error('first attempt');
  failures.report(target, first);
  failures.report(target, first);
  failures.report(target, new Error('second attempt'));
  t.deepEqual(seen, ['recording a.test:443 failed: first attempt', 'recording a.test:443 failed: second attempt']);
});
