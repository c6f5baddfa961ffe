import test from 'ava';
import { probeContext } from '../../src/tls/probe-context.js';
import type { ClientCredentials } from '../../src/tls/probe.js';

const settings = { minVersion: 'TLSv1.2' as const, maxVersion: 'TLSv1.3' as const, client: null };

test('with anchors the native context is built once per anchor set, client identity and versions', (t) => {
  let built = 0;
  const key = {};
  const anchors = { key, name: 'a.example.com', pems: () => (built++, []) };
  const first = probeContext({ ...settings, anchors });
  t.is(
    probeContext({ ...settings, anchors: { ...anchors, name: 'b.example.com' } }),
    first,
    'the name is not part of the context',
  );
  t.is(built, 1);
  t.not(probeContext({ ...settings, maxVersion: 'TLSv1.2', anchors }), first);
  const client: ClientCredentials = { subject: 'none' };
  t.not(probeContext({ ...settings, client, anchors }), first);
  t.is(probeContext({ ...settings, client, anchors }), probeContext({ ...settings, client, anchors }));
  t.not(probeContext({ ...settings, anchors: { ...anchors, key: {} } }), first, 'another anchor set');
  t.is(built, 4);
});

test('without anchors every probe gets a fresh context (it loads no roots)', (t) => {
  t.not(probeContext(settings), probeContext(settings));
});
