// CONNECT authorities: what is a host:port, and what gets a 400 before anything is resolved.
import test from 'ava';
import { parseConnectAuthority } from '../../src/proxy/connect-target.js';

test('names, IPv4 and bracketed IPv6 with a port in 1-65535 are targets', (t) => {
  t.deepEqual(parseConnectAuthority('API.Example.com:443'), { host: 'api.example.com', port: 443 });
  t.deepEqual(parseConnectAuthority('xn--bcher-kva.example:8443'), { host: 'xn--bcher-kva.example', port: 8443 });
  t.deepEqual(parseConnectAuthority('_srv.internal-host.:1'), { host: '_srv.internal-host.', port: 1 });
  t.deepEqual(parseConnectAuthority('10.0.0.1:65535'), { host: '10.0.0.1', port: 65535 });
  t.deepEqual(parseConnectAuthority('[::1]:443'), { host: '::1', port: 443 });
  t.deepEqual(parseConnectAuthority(`${'a'.repeat(63)}.example.com:443`)?.port, 443);
});

test('no port, port 0 or past 65535, spaces, non-ASCII, over-long names and labels are refused', (t) => {
  const refused = [
    'api.example.com',
    'api.example.com:0',
    'api.example.com:99999',
    'api.example.com:',
    ':443',
    'api.example.com:-1',
    'a b:443',
    'bücher.example:443',
    Buffer.from('bücher.example:443', 'utf8').toString('latin1'),
    `${'a'.repeat(8192)}:443`,
    `${'abcdefgh.'.repeat(30)}com:443`,
    `${'a'.repeat(64)}.example.com:443`,
    'a..example.com:443',
    '.example.com:443',
    '[::1:443',
    '[example.com]:443',
    'example.com/x:443',
    'user@example.com:443',
    'exa%2emple.com:443',
    'https://example.com:443',
    'example.com:443:443',
  ];
  for (const authority of refused) t.is(parseConnectAuthority(authority), null, JSON.stringify(authority.slice(0, 40)));
});
