// doctor's check for a shell whose proxy variables lead to tlswitness's own proxy (`ca env`); pure.
import test from 'ava';
import { checkOwnProxy } from '../../src/doctor/own-proxy.js';
import type { DoctorSnapshot } from '../../src/doctor/snapshot.js';

function snapshot(env: Record<string, string>, paths: DoctorSnapshot['paths'] = {}): DoctorSnapshot {
  return {
    platform: 'linux',
    nodeVersion: 'v20.0.0',
    env,
    paths,
    systemStore: null,
    localCa: {
      certsDir: '/c',
      certPath: '/c/ca/certs/ca.pem',
      keyPath: '/c/ca/keys/ca.private.key',
      cert: null,
      error: null,
      keyMode: 0o600,
    },
    corporate: [],
    python: { state: 'missing' },
    curl: { state: 'missing' },
    git: { state: 'missing' },
    curlrc: null,
    envFiles: [],
  };
}

const PROXY = {
  HTTPS_PROXY: 'http://127.0.0.1:8080',
  https_proxy: 'http://127.0.0.1:8080',
  NO_PROXY: 'localhost,127.0.0.1,::1',
};

test("the lines ca env prints: HTTPS_PROXY is named as tlswitness's own proxy, with the way out", (t) => {
  const [found, ...rest] = checkOwnProxy(
    snapshot({ ...PROXY, SSL_CERT_FILE: '/c/ca/bundle.pem', NODE_EXTRA_CA_CERTS: '/c/ca/certs/ca.pem' }),
  );
  t.is(rest.length, 0);
  t.is(found?.severity, 'warning');
  t.regex(
    found!.message,
    /127\.0\.0\.1:8080 is tlswitness's own proxy \(set by `ca env`: SSL_CERT_FILE names its CA\)/,
  );
  t.regex(found!.action!, /--no-env-proxy/);
});

test('a bundle elsewhere that holds a tlswitness CA counts; a proxy with ordinary CA variables, or no proxy, does not', (t) => {
  const tlswitnessCa = {
    subject: 'CN=tlswitness CA 6b07817f,OU=laptop 6b07817f,O=tlswitness local CA',
    sha256: 'X',
    spkiSha256: 'K',
    notBefore: '',
    notAfter: '',
    publicRoot: false,
  };
  t.is(
    checkOwnProxy(
      snapshot(
        { ...PROXY, REQUESTS_CA_BUNDLE: '/home/u/b.pem' },
        { '/home/u/b.pem': { path: '/home/u/b.pem', kind: 'file', certificates: [tlswitnessCa] } },
      ),
    ).length,
    1,
  );
  t.is(checkOwnProxy(snapshot({ ...PROXY, SSL_CERT_FILE: '/etc/ssl/certs/ca-certificates.crt' })).length, 0);
  t.is(checkOwnProxy(snapshot({ SSL_CERT_FILE: '/c/ca/bundle.pem' })).length, 0);
});
