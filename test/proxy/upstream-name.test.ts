// The one name a MITM session is about (SNI vs CONNECT host), case by case.
import test from 'ava';
import { upstreamName } from '../../src/proxy/upstream-name.js';

const at = (host: string) => ({ host, port: 443 });

test('SNI equal to the CONNECT host (case and trailing dot aside): the host, keyed as always', (t) => {
  const expected = { servername: 'api.example.com', checked: 'api.example.com', recordAs: undefined };
  t.deepEqual(upstreamName(at('api.example.com'), 'api.example.com'), expected);
  t.deepEqual(upstreamName(at('api.example.com'), 'API.Example.COM.'), expected);
});

test('SNI other than the CONNECT name (domain fronting, --connect-to): the SNI is sent, checked, minted and keyed', (t) => {
  t.deepEqual(upstreamName(at('good.test'), 'bank.test'), {
    servername: 'bank.test',
    checked: 'bank.test',
    recordAs: 'bank.test',
  });
  t.deepEqual(upstreamName(at('good.test'), 'Bank.Test'), {
    servername: 'bank.test',
    checked: 'bank.test',
    recordAs: 'bank.test',
  });
});

test('CONNECT to an IP address with SNI: the name is what the app checks; the address is only where to connect', (t) => {
  t.deepEqual(upstreamName(at('10.1.2.3'), 'api.example.com'), {
    servername: 'api.example.com',
    checked: 'api.example.com',
    recordAs: 'api.example.com',
  });
  t.deepEqual(upstreamName(at('::1'), 'api.example.com'), {
    servername: 'api.example.com',
    checked: 'api.example.com',
    recordAs: 'api.example.com',
  });
});

test('no SNI: the CONNECT host is checked; a name still goes upstream as SNI, an address gets none', (t) => {
  t.deepEqual(upstreamName(at('api.example.com'), null), {
    servername: 'api.example.com',
    checked: 'api.example.com',
    recordAs: undefined,
  });
  t.deepEqual(upstreamName(at('10.1.2.3'), null), { servername: null, checked: '10.1.2.3', recordAs: undefined });
  t.deepEqual(upstreamName(at('::1'), null), { servername: null, checked: '::1', recordAs: undefined });
});

test('an SNI that is not a DNS name is refused: an IP literal (RFC 6066 3), garbage, an empty name', (t) => {
  for (const sni of ['10.1.2.3', '::1', 'bank test', 'a/b', '', '.', 'x'.repeat(64) + '.test', 'é.test'])
    t.is(upstreamName(at('good.test'), sni), null, JSON.stringify(sni));
});
