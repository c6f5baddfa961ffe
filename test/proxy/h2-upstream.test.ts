// The origin side of the HTTP/2 front against a real server: nginx (Debian) with and without `http2` on a
// 127.0.0.x listener, reached through the proxy by an h2 app: h2 where nginx offers it, HTTP/1.1 where not.
import test from 'ava';
import type { RequestEvent } from '../../src/events.js';
import { makeFixtures, type Fixtures } from '../helpers/fixtures.js';
import { h2Request, h2ViaProxy } from '../helpers/h2.js';
import { hasNginx, startNginx } from '../helpers/nginx.js';
import { fixtureTrust } from '../helpers/observe.js';
import { startTestProxy } from '../helpers/proxy.js';
import { testNeeding } from '../helpers/requires.js';

let fixtures: Fixtures;
test.before(async () => {
  fixtures = await makeFixtures();
});
test.after.always(async () => fixtures?.close());

const nginxTest = testNeeding(hasNginx() ? null : 'nginx is not installed here', { inCi: true });

for (const [http2, protocol] of [
  [true, 'HTTP/2.0'],
  [false, 'HTTP/1.1'],
] as const) {
  nginxTest(
    `an h2 app through the proxy to nginx ${http2 ? 'with' : 'without'} http2: ${protocol} upstream`,
    async (t) => {
      const scenario = fixtures.pki.scenarios.valid!;
      const nginx = await startNginx({
        chainPem: scenario.sent.join(''),
        keyPem: scenario.keyPem,
        serverName: scenario.host!,
        http2,
      });
      const proxy = await startTestProxy(fixtureTrust(fixtures.pki), [`${scenario.host}:${nginx.port}:127.0.0.1`]);
      try {
        const session = await h2ViaProxy(proxy.port, scenario.host!, nginx.port, proxy.ca.certPem);
        const answers = await Promise.all(Array.from({ length: 10 }, () => h2Request(session, { ':path': '/status' })));
        session.close();
        t.true(
          answers.every((a) => a.status === 200 && a.body === `${protocol}\n`),
          'nginx saw the protocol',
        );
        t.is(answers[0]!.headers.server?.toString().startsWith('nginx'), true);
        const access = nginx.accessLog().trim().split('\n');
        t.is(access.filter((line) => line.includes(`"GET /status ${protocol}"`)).length, 10);
        for (let i = 0; i < 100 && proxy.events.filter((e) => e.type === 'request').length < 10; i++)
          await new Promise((r) => setTimeout(r, 10));
        const requests = proxy.events.filter((e): e is RequestEvent => e.type === 'request');
        t.true(requests.length === 10 && requests.every((e) => e.httpVersion === '2' && e.status === 200));
      } finally {
        await proxy.close();
        await nginx.close();
      }
    },
  );
}
