// What child processes inherit: everything but the proxy's credentials, in any letter case.
import test from 'ava';
import { childEnv } from '../src/child-env.js';

test('TLSWITNESS_PROXY_AUTH is left out, every other variable kept', (t) => {
  t.deepEqual(childEnv({ PATH: '/bin', TLSWITNESS_PROXY_AUTH: 'u:p', tlswitness_proxy_auth: 'u:q', HOME: '/h' }), {
    PATH: '/bin',
    HOME: '/h',
  });
  const plain = { PATH: '/bin' };
  t.is(childEnv(plain), plain, 'nothing to take out: the same object');
});
