// The bench's delay relay: every chunk arrives one-way delay late in each direction, a connection's
// first bytes one RTT later still (its TCP handshake), and bytes keep their order.
import test from 'ava';
import { connect, createServer, type AddressInfo, type Socket } from 'node:net';
import { startDelayRelay } from '../../scripts/bench/delay-relay.js';

const DELAY = 40;

/** An echo server on 127.0.0.1, and the relay on 127.0.0.2 in front of it. */
async function echoBehindRelay() {
  const server = createServer((socket) => socket.pipe(socket));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const relay = await startDelayRelay({
    address: '127.0.0.2',
    targetHost: '127.0.0.1',
    targetPort: (server.address() as AddressInfo).port,
    delayMs: DELAY,
  });
  return { relay, close: async () => (await relay.close(), await new Promise((resolve) => server.close(resolve))) };
}

function readBytes(socket: Socket, count: number): Promise<Buffer> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let length = 0;
    const onData = (chunk: Buffer) => {
      chunks.push(chunk);
      length += chunk.length;
      if (length < count) return;
      socket.off('data', onData);
      resolve(Buffer.concat(chunks));
    };
    socket.on('data', onData);
  });
}

test('the relay delays each direction, the first bytes by one RTT more, and keeps order', async (t) => {
  const { relay, close } = await echoBehindRelay();
  t.teardown(close);
  // The relay's clock for the first bytes starts when it accepts, which may be before this side sees
  // 'connect' (by a few ms on a loaded machine): the first echo is timed from the connect call.
  let started = performance.now();
  const socket = connect({ host: relay.address, port: relay.port });
  socket.setNoDelay(true);
  await new Promise((resolve) => socket.once('connect', resolve));
  t.teardown(() => socket.destroy());

  // Sent at once: it waits out the emulated TCP handshake (one RTT), then one RTT there and back.
  socket.write('a');
  t.is((await readBytes(socket, 1)).toString(), 'a');
  const first = performance.now() - started;
  t.true(first >= 4 * DELAY - 2, `first echo after ${first.toFixed(1)} ms, expected at least ${4 * DELAY}`);

  started = performance.now();
  socket.write('b');
  t.is((await readBytes(socket, 1)).toString(), 'b');
  const second = performance.now() - started;
  t.true(second >= 2 * DELAY - 2, `echo after ${second.toFixed(1)} ms, expected at least one RTT (${2 * DELAY})`);

  // Many small writes over several timer turns come back whole and in order.
  const parts = Array.from({ length: 200 }, (_, i) => `${i},`);
  const expected = parts.join('');
  const reading = readBytes(socket, expected.length);
  for (const [i, part] of parts.entries()) {
    socket.write(part);
    if (i % 20 === 0) await new Promise((resolve) => setTimeout(resolve, 3));
  }
  t.is((await reading).toString(), expected);
});

test('the relay passes a clean end on after the delay and closes both sides', async (t) => {
  const { relay, close } = await echoBehindRelay();
  t.teardown(close);
  const socket = connect({ host: relay.address, port: relay.port });
  const ended = new Promise<void>((resolve) => socket.once('end', () => resolve()));
  socket.end('bye');
  t.is((await readBytes(socket, 3)).toString(), 'bye');
  await ended;
  t.pass();
});
