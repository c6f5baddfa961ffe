// This machine's OpenSSL security level: parsed from `openssl version -a` and the configuration, then read for real.
import test from 'ava';
import { configPath, parseOpensslLevel, systemOpensslLevel } from '../../src/doctor/openssl-level.js';
import { findExecutable, testNeeding } from '../helpers/requires.js';

const DEBIAN = `OpenSSL 3.0.19 27 Jan 2026 (Library: OpenSSL 3.0.19 27 Jan 2026)
platform: debian-amd64
compiler: gcc -fPIC -pthread -m64 -DOPENSSL_TLS_SECURITY_LEVEL=2 -Wa,--noexecstack -g -O2
OPENSSLDIR: "/usr/lib/ssl"
`;
const UPSTREAM = `OpenSSL 3.0.13 30 Jan 2024 (Library: OpenSSL 3.0.13 30 Jan 2024)
compiler: gcc -fPIC -pthread -m64 -O3
OPENSSLDIR: "/usr/local/ssl"
`;

test("the build default, then a CipherString @SECLEVEL in the configuration (RHEL 9 crypto-policies), then OpenSSL 3's 1", (t) => {
  t.is(parseOpensslLevel(DEBIAN, 'openssl_conf = openssl_init\n'), 2);
  t.is(parseOpensslLevel(UPSTREAM, null), 1);
  t.is(parseOpensslLevel(UPSTREAM, '[system_default_sect]\nCipherString = DEFAULT:@SECLEVEL=2\n'), 2);
  t.is(
    parseOpensslLevel(DEBIAN, '[system_default_sect]\nCipherString = DEFAULT@SECLEVEL=1\n'),
    1,
    'Debian users who lowered it in openssl.cnf',
  );
  t.is(parseOpensslLevel(DEBIAN, '# CipherString = DEFAULT@SECLEVEL=1\n'), 2, 'a commented line does not count');
  t.is(parseOpensslLevel('LibreSSL 3.3.6\n', null), null, 'not OpenSSL: unknown');
});

test('the configuration file: $OPENSSL_CONF, else OPENSSLDIR/openssl.cnf', (t) => {
  t.is(configPath(DEBIAN, {}), '/usr/lib/ssl/openssl.cnf');
  t.is(configPath(DEBIAN, { OPENSSL_CONF: '/etc/custom.cnf' }), '/etc/custom.cnf');
});

testNeeding(findExecutable('openssl') ? null : 'no openssl on this machine')(
  "this machine's level is read from the system openssl, once",
  async (t) => {
    const level = await systemOpensslLevel({ PATH: process.env.PATH });
    t.true(level !== null && level >= 0 && level <= 5);
    t.is(await systemOpensslLevel(), level, 'read once per process');
  },
);
