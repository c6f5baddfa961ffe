// The load generator's HTTP/2 jobs: a few node:http2 sessions (CONNECT, TLS offering h2 and http/1.1
// as curl and browsers do, h2 required), each carrying N concurrent streams of back-to-back GETs.
import { connect as h2Connect, type ClientHttp2Session } from 'node:http2';
import { openTls, type Route } from './http-client.js';
import { percentile } from './stats.js';

export type H2Job =
  /** Opens `sessions` h2 sessions to `servername` (one GET each, which must answer 200) and keeps them as `session`. */
  | { kind: 'h2-open'; session: string; route: Route; servername: string; path: string; sessions: number }
  /** `streams` concurrent request loops on every session of `session` for `durationMs`. */
  | { kind: 'h2-run'; session: string; path: string; streams: number; durationMs: number; timeoutMs: number }
  | { kind: 'h2-close'; session: string };

export interface ErrorSink {
  add(error: unknown): void;
}

const sessions = new Map<string, ClientHttp2Session[]>();

/** One GET on the session: resolves with its total time once the body has ended with status 200. */
function get(session: ClientHttp2Session, path: string, timeoutMs: number): Promise<number> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const stream = session.request({ ':path': path });
    let status = 0;
    stream.setTimeout(timeoutMs, () => stream.close());
    stream.on('response', (headers) => (status = Number(headers[':status'])));
    stream.on('data', () => undefined);
    stream.once('error', reject);
    stream.once('close', () => {
      if (status === 200 && stream.rstCode === 0) resolve(performance.now() - started);
      else reject(new Error(`${path}: ${status ? `status ${status}` : `stream closed (code ${stream.rstCode})`}`));
    });
  });
}

async function openSession(route: Route, servername: string, path: string): Promise<ClientHttp2Session> {
  const socket = await openTls(route, servername, ['h2', 'http/1.1']);
  if (socket.alpnProtocol !== 'h2') {
    socket.destroy();
    throw new Error(`${servername}: ALPN chose ${socket.alpnProtocol || 'nothing'}, not h2`);
  }
  socket.setNoDelay(true);
  const session = h2Connect(`https://${servername}:${route.originPort}`, { createConnection: () => socket });
  session.on('error', () => undefined);
  try {
    await get(session, path, route.timeoutMs);
  } catch (error) {
    session.destroy();
    throw error;
  }
  return session;
}

export async function runH2Job(job: H2Job, errors: ErrorSink): Promise<Record<string, number>> {
  switch (job.kind) {
    case 'h2-open': {
      const opened = await Promise.all(
        Array.from({ length: job.sessions }, () =>
          openSession(job.route, job.servername, job.path).catch((error: unknown) => {
            errors.add(error);
            return null;
          }),
        ),
      );
      const live = opened.filter((s): s is ClientHttp2Session => s !== null);
      sessions.set(job.session, live);
      return { opened: live.length };
    }
    case 'h2-run': {
      const latencies: number[] = [];
      const deadline = performance.now() + job.durationMs;
      const worker = async (session: ClientHttp2Session) => {
        while (performance.now() < deadline && !session.closed && !session.destroyed) {
          try {
            latencies.push(await get(session, job.path, job.timeoutMs));
          } catch (error) {
            errors.add(error);
          }
        }
      };
      const started = performance.now();
      await Promise.all(
        (sessions.get(job.session) ?? []).flatMap((session) =>
          Array.from({ length: job.streams }, () => worker(session)),
        ),
      );
      return {
        requests: latencies.length,
        elapsedMs: performance.now() - started,
        p50Ms: percentile(latencies, 50),
        p99Ms: percentile(latencies, 99),
      };
    }
    case 'h2-close': {
      for (const session of sessions.get(job.session) ?? []) session.destroy();
      sessions.delete(job.session);
      return {};
    }
  }
}
