// withServers: every server started is closed, last first, whether the body passed, threw, or a later server failed to start.
import test from 'ava';
import { withServer, withServers } from './with-servers.js';

function recorder() {
  const log: string[] = [];
  const server = (name: string) => () => {
    log.push(`start ${name}`);
    return { name, close: async () => void log.push(`close ${name}`) };
  };
  return { log, server };
}

test('the body gets the servers in order; they close last first and its result is returned', async (t) => {
  const { log, server } = recorder();
  const result = await withServers([server('origin'), server('proxy')], async (origin, proxy) => {
    log.push(`body ${origin.name} ${proxy.name}`);
    return 42;
  });
  t.is(result, 42);
  t.deepEqual(log, ['start origin', 'start proxy', 'body origin proxy', 'close proxy', 'close origin']);
});

test('a body that throws: the servers are still closed and the error is the body’s', async (t) => {
  const { log, server } = recorder();
  await t.throwsAsync(
    withServer(server('origin'), async () => {
      throw new Error('assertion inside');
    }),
    { message: 'assertion inside' },
  );
  t.deepEqual(log, ['start origin', 'close origin']);
});

test('a later server that fails to start: the ones already up are closed, the body never runs', async (t) => {
  const { log, server } = recorder();
  const failing = async (): Promise<{ close(): void }> => {
    throw new Error('port taken');
  };
  await t.throwsAsync(
    withServers([server('origin'), failing], async () => void log.push('body')),
    { message: 'port taken' },
  );
  t.deepEqual(log, ['start origin', 'close origin']);
});
