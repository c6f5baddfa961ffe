// A real gRPC client and server (@grpc/grpc-js) through the MITM, as an app with grpc_proxy set: unary and
// server-streaming calls, with status, message and trailing metadata intact.
import test from 'ava';
import * as grpc from '@grpc/grpc-js';
import type { RequestEvent } from '../../src/events.js';
import { makeFixtures, type Fixtures } from '../helpers/fixtures.js';
import { fixtureTrust } from '../helpers/observe.js';
import { startTestProxy, type TestProxy } from '../helpers/proxy.js';

let fixtures: Fixtures;
test.before(async () => {
  fixtures = await makeFixtures();
});
test.after.always(async () => fixtures?.close());

const same = (b: Buffer) => b;
const method = (path: string, responseStream: boolean) => ({
  path,
  requestStream: false,
  responseStream,
  requestSerialize: same,
  requestDeserialize: same,
  responseSerialize: same,
  responseDeserialize: same,
});
/** A generic service: no .proto, the messages are the bytes as sent. */
const SERVICE = {
  unary: method('/tlswitness.test.Echo/Unary', false),
  count: method('/tlswitness.test.Echo/Count', true),
};

type Call = grpc.ServerUnaryCall<Buffer, Buffer>;

async function startGrpcServer(keyPem: string, chainPem: string): Promise<{ port: number; server: grpc.Server }> {
  const server = new grpc.Server();
  server.addService(SERVICE, {
    unary: (call: Call, callback: grpc.sendUnaryData<Buffer>) => {
      const text = call.request.toString();
      if (text === 'missing') {
        const trailer = new grpc.Metadata();
        trailer.set('x-detail', 'no such thing');
        callback({ code: grpc.status.NOT_FOUND, details: 'nothing called missing', metadata: trailer });
        return;
      }
      callback(null, Buffer.from(`echo ${text}`));
    },
    count: (call: grpc.ServerWritableStream<Buffer, Buffer>) => {
      const n = Number(call.request.toString());
      for (let i = 1; i <= n; i++) call.write(Buffer.from(`item ${i}`));
      const trailer = new grpc.Metadata();
      trailer.set('x-count', String(n));
      call.end(trailer);
    },
  });
  const credentials = grpc.ServerCredentials.createSsl(null, [
    { private_key: Buffer.from(keyPem), cert_chain: Buffer.from(chainPem) },
  ]);
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', credentials, (error, bound) => (error ? reject(error) : resolve(bound))),
  );
  return { port, server };
}

async function withGrpc(run: (client: grpc.Client, proxy: TestProxy) => Promise<void>): Promise<void> {
  const scenario = fixtures.pki.scenarios.valid!;
  const { port, server } = await startGrpcServer(scenario.keyPem, scenario.sent.join(''));
  const proxy = await startTestProxy(fixtureTrust(fixtures.pki), [`${scenario.host}:${port}:127.0.0.1`]);
  // The app's proxy setting, as grpc_proxy in its environment (read when a channel is made).
  process.env.grpc_proxy = `http://127.0.0.1:${proxy.port}`;
  const Client = grpc.makeGenericClientConstructor(SERVICE, 'Echo');
  const client = new Client(`${scenario.host}:${port}`, grpc.credentials.createSsl(Buffer.from(proxy.ca.certPem)));
  try {
    await run(client, proxy);
  } finally {
    client.close();
    await proxy.close();
    server.forceShutdown();
  }
}

function unary(client: grpc.Client, text: string): Promise<{ error: grpc.ServiceError | null; reply?: Buffer }> {
  return new Promise((resolve) =>
    client.makeUnaryRequest(
      SERVICE.unary.path,
      same,
      same,
      Buffer.from(text),
      (error: grpc.ServiceError | null, reply?: Buffer) => resolve({ error, reply }),
    ),
  );
}

// Serial: the proxy setting is the process's environment, one proxy at a time.
test.serial(
  'a unary call through the MITM: the reply, and an error status with its message and trailers',
  async (t) => {
    await withGrpc(async (client, proxy) => {
      const ok = await unary(client, 'hi');
      t.is(ok.error, null);
      t.is(ok.reply?.toString(), 'echo hi');
      const failed = await unary(client, 'missing');
      t.is(failed.error?.code, grpc.status.NOT_FOUND);
      t.is(failed.error?.details, 'nothing called missing');
      t.deepEqual(failed.error?.metadata.get('x-detail'), ['no such thing']);
      const events = proxy.events.filter((e): e is RequestEvent => e.type === 'request');
      for (let i = 0; i < 100 && events.length < 2; i++) await new Promise((r) => setTimeout(r, 10));
      t.true(
        proxy.events.some((e) => e.type === 'handshake'),
        'the origin was recorded',
      );
      const requests = proxy.events.filter((e): e is RequestEvent => e.type === 'request');
      t.is(requests.length, 2);
      t.true(requests.every((e) => e.httpVersion === '2' && e.method === 'POST' && e.url.endsWith('/Unary')));
    });
  },
);

test.serial(
  'a server-streaming call through the MITM: every message, status OK and the trailing metadata',
  async (t) => {
    await withGrpc(async (client, proxy) => {
      const call = client.makeServerStreamRequest(SERVICE.count.path, same, same, Buffer.from('25'));
      const items: string[] = [];
      call.on('data', (item: Buffer) => items.push(item.toString()));
      const status = await new Promise<grpc.StatusObject>((resolve) => call.on('status', resolve));
      t.is(status.code, grpc.status.OK);
      t.deepEqual(status.metadata.get('x-count'), ['25']);
      t.deepEqual(
        items,
        Array.from({ length: 25 }, (_, i) => `item ${i + 1}`),
      );
      for (let i = 0; i < 100 && !proxy.events.some((e) => e.type === 'request'); i++)
        await new Promise((r) => setTimeout(r, 10));
      t.like(
        proxy.events.find((e) => e.type === 'request'),
        { httpVersion: '2', status: 200 },
        'it went through the proxy',
      );
    });
  },
);
