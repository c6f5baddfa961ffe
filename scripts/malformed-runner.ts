// Plays one malformed case (scripts/malformed-traffic.ts) against a proxy on a raw socket and
// classifies what came back within a deadline; plus the well-behaved requests that run beside them.
import { request as httpRequest } from 'node:http';
import { connect as netConnect, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { Duplex } from 'node:stream';
import { connect as tlsConnect } from 'node:tls';
import type { Answer, MalformedCase, TrafficTarget } from './malformed-traffic.js';

export interface RunTarget extends TrafficTarget {
  proxyPort: number;
  /** The proxy's CA certificate (PEM), trusted by the TLS steps. */
  caPem: string;
}

export interface Outcome {
  id: number;
  stage: string;
  name: string;
  answer: Answer | 'tls-failed';
  ok: boolean;
  ms: number;
}

const HEAD_END = '\r\n\r\n';

/** Runs one case; never rejects. */
export function runCase(target: RunTarget, c: MalformedCase, deadlineMs: number): Promise<Outcome> {
  const started = performance.now();
  const raw: Socket = netConnect(target.proxyPort, '127.0.0.1');
  let stream: Duplex = raw;
  let received = Buffer.alloc(0);
  let closed = false;
  let expired = false;
  let wake: (() => void) | null = null;
  const poke = () => {
    const w = wake;
    wake = null;
    w?.();
  };
  const onData = (chunk: Buffer) => {
    received = Buffer.concat([received, chunk]);
    poke();
  };
  const onClose = () => {
    closed = true;
    poke();
  };
  raw.on('data', onData);
  raw.on('error', () => undefined);
  raw.once('close', onClose);
  const timer = setTimeout(() => {
    expired = true;
    poke();
  }, deadlineMs);
  const until = async (done: () => boolean) => {
    while (!done() && !closed && !expired) await new Promise<void>((resolve) => (wake = resolve));
  };
  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const t = setTimeout(resolve, ms);
      wake = () => {
        clearTimeout(t);
        resolve();
      };
    });
  const statusLine = () => received.length >= 12 && received.indexOf('\r\n') > 0;
  const answered = () =>
    received.length > 0 && (!'HTTP/1.'.startsWith(received.subarray(0, 7).toString('latin1')) || statusLine());
  const classify = (): Answer => {
    if (received.length) {
      const status = /^HTTP\/1\.[01] (\d{3})/.exec(received.subarray(0, 16).toString('latin1'));
      return status ? Number(status[1]) : 'not-http';
    }
    return closed ? 'close' : 'timeout';
  };

  const play = async (): Promise<Answer | 'tls-failed'> => {
    await new Promise<void>((resolve) => {
      raw.once('connect', resolve);
      raw.once('close', resolve);
    });
    for (const step of c.steps) {
      if (closed || expired || (!c.untilClose && answered() && (step.op === 'send' || step.op === 'pause'))) break;
      switch (step.op) {
        case 'send':
          stream.write(step.bytes, () => undefined);
          break;
        case 'pause':
          await sleep(step.ms);
          break;
        case 'read':
          await until(() => received.length >= step.bytes);
          break;
        case 'connect': {
          stream.write(`CONNECT ${step.authority} HTTP/1.1\r\nHost: ${step.authority}\r\n\r\n`);
          await until(() => received.includes(HEAD_END));
          const end = received.indexOf(HEAD_END);
          if (end < 0) return classify();
          const status = classify();
          if (status !== 200) return status;
          received = received.subarray(end + HEAD_END.length);
          break;
        }
        case 'tls': {
          raw.off('data', onData);
          const secure = tlsConnect({ socket: raw, servername: step.servername ?? target.tlsHost, ca: [target.caPem] });
          secure.on('data', onData);
          secure.on('error', () => undefined);
          stream = secure;
          const ok = await new Promise<boolean>((resolve) => {
            secure.once('secureConnect', () => resolve(true));
            secure.once('close', () => resolve(false));
            setTimeout(() => resolve(false), Math.max(0, deadlineMs - (performance.now() - started))).unref();
          });
          if (!ok) return 'tls-failed';
          break;
        }
        case 'close':
          // Node 20 segfaults later when a socket under a TLSSocket is reset, so a TLS session is only destroyed.
          if (step.how === 'reset' && stream === raw) raw.resetAndDestroy();
          else if (step.how === 'reset') stream.destroy();
          else {
            stream.end();
            setTimeout(() => raw.destroy(), 50).unref();
          }
          return 'client-closed';
      }
    }
    if (c.untilClose) {
      await until(() => false);
      return closed ? 'close' : 'timeout';
    }
    await until(answered);
    return classify();
  };

  return play().then((answer) => {
    clearTimeout(timer);
    stream.destroy();
    raw.destroy();
    return {
      id: c.id,
      stage: c.stage,
      name: c.name,
      answer,
      ok: (c.allowed as string[]).includes(String(answer)) || c.allowed.includes(answer as Answer),
      ms: Math.round(performance.now() - started),
    };
  });
}

/** Runs cases with at most `concurrency` at once; `deadline` gives each case its time. */
export async function runCases(
  target: RunTarget,
  cases: MalformedCase[],
  concurrency: number,
  deadline: (c: MalformedCase) => number,
  onOutcome: (o: Outcome) => void = () => undefined,
): Promise<Outcome[]> {
  const outcomes: Outcome[] = [];
  let next = 0;
  const worker = async () => {
    while (next < cases.length) {
      const c = cases[next++]!;
      const outcome = await runCase(target, c, deadline(c));
      outcomes.push(outcome);
      onOutcome(outcome);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, cases.length) }, worker));
  return outcomes.sort((a, b) => a.id - b.id);
}

/** One well-behaved HTTPS exchange through the proxy's MITM; resolves with the status and body. */
export function goodHttpsRequest(target: RunTarget, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const connect = httpRequest({
      host: '127.0.0.1',
      port: target.proxyPort,
      method: 'CONNECT',
      path: `${target.tlsHost}:${target.tlsPort}`,
    });
    connect.setTimeout(10_000, () => connect.destroy(new Error('CONNECT timed out')));
    connect.on('connect', (res, socket) => {
      if (res.statusCode !== 200) {
        socket.destroy();
        reject(new Error(`CONNECT answered ${res.statusCode}`));
        return;
      }
      const secure = tlsConnect({ socket, servername: target.tlsHost, ca: [target.caPem] });
      secure.setTimeout(10_000, () => secure.destroy(new Error('timed out')));
      let text = '';
      secure.on('data', (d: Buffer) => (text += d.toString('latin1')));
      secure.once('error', reject);
      secure.once('secureConnect', () =>
        secure.write(`GET ${path} HTTP/1.1\r\nHost: ${target.tlsHost}:${target.tlsPort}\r\nConnection: close\r\n\r\n`),
      );
      secure.once('close', () => {
        const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0);
        resolve({ status, body: text.slice(text.indexOf(HEAD_END) + 4) });
      });
    });
    connect.on('error', reject);
    connect.end();
  });
}

/** One well-behaved plain-HTTP exchange through the proxy. */
export function goodHttpRequest(target: RunTarget, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: '127.0.0.1',
        port: target.proxyPort,
        path: `http://127.0.0.1:${target.httpPort}${path}`,
        headers: { host: `127.0.0.1:${target.httpPort}`, connection: 'close' },
      },
      (res) => {
        let body = '';
        res.setEncoding('latin1');
        res.on('data', (d: string) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        res.on('error', reject);
      },
    );
    req.setTimeout(10_000, () => req.destroy(new Error('timed out')));
    req.on('error', reject);
    req.end();
  });
}

/** A well-behaved client that keeps making requests until stopped; counts successes and failures. */
export function startGoodClient(target: RunTarget): { stop(): Promise<{ ok: number; failures: string[] }> } {
  let running = true;
  let ok = 0;
  const failures: string[] = [];
  const loop = (async () => {
    for (let i = 0; running; i++) {
      const https = i % 2 === 0;
      try {
        const { status, body } = await (https
          ? goodHttpsRequest(target, `/good/${i}`)
          : goodHttpRequest(target, `/good/${i}`));
        if (status === 200 && body.includes(`/good/${i}`)) ok++;
        else failures.push(`${https ? 'https' : 'http'} #${i}: ${status} ${body.slice(0, 80)}`);
      } catch (error) {
        failures.push(`${https ? 'https' : 'http'} #${i}: ${(error as Error).message}`);
      }
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return { ok, failures };
    },
  };
}
