// The machine's real python3 clients against a loopback fixture server: python3's ssl module reads
// SSL_CERT_FILE, requests reads REQUESTS_CA_BUNDLE (then CURL_CA_BUNDLE, then certifi), so each
// can accept what the other refuses. Every CA variable is set in the child's environment.
import test from 'ava';
import { spawnSync } from 'node:child_process';
import { libraryCheck, pythonCheck, type ClientCheckTarget } from '../../src/net/client-checks.js';
import { makeFixtures, startScenarioServer, type Fixtures, type FixtureServer } from '../helpers/fixtures.js';

const hasRequests = spawnSync('python3', ['-c', 'import requests'], { stdio: 'ignore' }).status === 0;
const requestsTest = hasRequests ? test.serial : test.serial.skip;

let fixtures: Fixtures;
let server: FixtureServer;
test.before(async () => {
  fixtures = await makeFixtures();
  server = await startScenarioServer(fixtures.pki.scenarios.valid!);
});
test.after.always(async () => {
  await server?.close();
  await fixtures?.close();
});

function target(): ClientCheckTarget {
  return {
    host: 'valid.example.com',
    port: server.port,
    servername: 'valid.example.com',
    address: '127.0.0.1',
    proxy: null,
    resolve: new Map(),
    timeoutMs: 5000,
  };
}

/** Only PATH and HOME from this machine; every CA variable named here, none inherited. */
function env(vars: { SSL_CERT_FILE: string; REQUESTS_CA_BUNDLE: string; CURL_CA_BUNDLE: string }): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH, HOME: process.env.HOME, SSL_CERT_DIR: '/nonexistent/certs', ...vars };
}

requestsTest(
  'SSL_CERT_FILE trusts the root, REQUESTS_CA_BUNDLE does not: python3 accepts, requests refuses and names its bundle',
  async (t) => {
    const root = fixtures.pki.files['public-roots.pem']!;
    const corporate = fixtures.pki.files['corporate-root.pem']!;
    const e = env({ SSL_CERT_FILE: root, REQUESTS_CA_BUNDLE: corporate, CURL_CA_BUNDLE: root });
    const [python, requests] = await Promise.all([pythonCheck(target(), e), libraryCheck('requests', target(), e)]);
    t.is(python.accepted, true, python.error ?? '');
    t.is(requests.client, 'requests');
    t.true(requests.available);
    t.is(requests.accepted, false, requests.error ?? '');
    t.is(requests.exitCode, 1);
    t.regex(requests.error ?? '', /CERTIFICATE_VERIFY_FAILED/);
    t.is(requests.bundle, `${corporate} (REQUESTS_CA_BUNDLE)`);
  },
);

requestsTest(
  'REQUESTS_CA_BUNDLE trusts the root, SSL_CERT_FILE does not: requests accepts, python3 refuses',
  async (t) => {
    const root = fixtures.pki.files['public-roots.pem']!;
    const corporate = fixtures.pki.files['corporate-root.pem']!;
    const e = env({ SSL_CERT_FILE: corporate, REQUESTS_CA_BUNDLE: root, CURL_CA_BUNDLE: corporate });
    const [python, requests] = await Promise.all([pythonCheck(target(), e), libraryCheck('requests', target(), e)]);
    t.is(python.accepted, false, python.error ?? '');
    t.is(requests.accepted, true, requests.error ?? '');
    t.is(requests.exitCode, 0);
    t.is(requests.bundle, `${root} (REQUESTS_CA_BUNDLE)`);
  },
);

requestsTest(
  'without REQUESTS_CA_BUNDLE, requests takes CURL_CA_BUNDLE; without either, certifi (which lacks the fixture root)',
  async (t) => {
    const root = fixtures.pki.files['public-roots.pem']!;
    const viaCurl = await libraryCheck(
      'requests',
      target(),
      env({ SSL_CERT_FILE: root, REQUESTS_CA_BUNDLE: '', CURL_CA_BUNDLE: root }),
    );
    t.is(viaCurl.accepted, true, viaCurl.error ?? '');
    t.is(viaCurl.bundle, `${root} (CURL_CA_BUNDLE)`);
    const certifi = await libraryCheck(
      'requests',
      target(),
      env({ SSL_CERT_FILE: root, REQUESTS_CA_BUNDLE: '', CURL_CA_BUNDLE: '' }),
    );
    t.is(certifi.accepted, false, certifi.error ?? '');
    t.regex(certifi.bundle ?? '', /cacert\.pem \(requests\.certs\.where\(\)\)$/);
  },
);

test.serial('a library that is not installed is reported as such, not as a refusal', async (t) => {
  const hasHttpx = spawnSync('python3', ['-c', 'import httpx'], { stdio: 'ignore' }).status === 0;
  const root = fixtures.pki.files['public-roots.pem']!;
  const httpx = await libraryCheck(
    'httpx',
    target(),
    env({ SSL_CERT_FILE: root, REQUESTS_CA_BUNDLE: root, CURL_CA_BUNDLE: root }),
  );
  t.is(httpx.client, 'httpx');
  if (hasHttpx) {
    t.true(httpx.available);
    t.is(httpx.accepted, true, httpx.error ?? '');
    t.is(httpx.bundle, `${root} (SSL_CERT_FILE)`);
  } else {
    t.false(httpx.available);
    t.is(httpx.accepted, null);
  }
});
