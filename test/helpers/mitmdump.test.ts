// mitmdump's command line, as the detect test and the bench started it before they shared it.
import test from 'ava';
import { mitmdumpCommand } from './mitmdump.js';

test("the detect test's mitmdump and the bench's (with its extra option before the upstream roots)", (t) => {
  const base = ['mitmdump', '--listen-host', '127.0.0.1', '--listen-port', '8089', '--set', 'confdir=/tmp/conf'];
  t.deepEqual(mitmdumpCommand({ port: 8089, confdir: '/tmp/conf', upstreamRoots: '/tmp/roots.pem' }), [
    ...base,
    '--set',
    'ssl_verify_upstream_trusted_ca=/tmp/roots.pem',
  ]);
  t.deepEqual(
    mitmdumpCommand({
      port: 8089,
      confdir: '/tmp/conf',
      upstreamRoots: '/tmp/roots.pem',
      sets: ['stream_large_bodies=1m'],
    }),
    [...base, '--set', 'stream_large_bodies=1m', '--set', 'ssl_verify_upstream_trusted_ca=/tmp/roots.pem'],
  );
});
