// The load generator, a child process of the bench so its CPU time is its own: it runs one job at
// a time from IPC messages and answers with the measurements and the CPU time the job cost it.
import { runH2Job, type H2Job } from './h2-load.js';
import { Connection, openTls, type Route } from './http-client.js';
import { percentile } from './stats.js';

export type Job =
  /** Opens `count` connections (at most `concurrency` handshakes at once), each with one request, and keeps them as `session`. */
  | {
      kind: 'open';
      session: string;
      route: Route;
      servername: string;
      path: string;
      count: number;
      concurrency: number;
    }
  /** Sequential keep-alive requests on every connection of `session` for `durationMs`. */
  | { kind: 'run'; session: string; route: Route; servername: string; path: string; durationMs: number }
  | { kind: 'alive'; session: string }
  | { kind: 'close'; session: string }
  /** One fresh CONNECT + handshake + request per name, one after another. */
  | { kind: 'new-hosts'; route: Route; names: string[]; path: string }
  /** One request for a large body on a fresh connection. */
  | { kind: 'bulk'; route: Route; servername: string; path: string }
  | H2Job;

export interface Reply {
  /** CPU time (user + system) this process spent on the job, in microseconds. */
  cpuUs: number;
  wallMs: number;
  errors: number;
  firstError: string | null;
  [key: string]: number | string | null;
}

const sessions = new Map<string, Connection[]>();

class Errors {
  count = 0;
  first: string | null = null;
  add(error: unknown): void {
    this.count++;
    this.first ??= error instanceof Error ? error.message : String(error);
  }
}

async function open(route: Route, servername: string, path: string, errors: Errors): Promise<Connection | null> {
  try {
    const connection = new Connection(await openTls(route, servername), route.timeoutMs);
    const exchange = await connection.request(path, servername);
    if (exchange.status !== 200) throw new Error(`${servername}${path}: status ${exchange.status}`);
    return connection;
  } catch (error) {
    errors.add(error);
    return null;
  }
}

async function runJob(job: Job, errors: Errors): Promise<Record<string, number>> {
  switch (job.kind) {
    case 'open': {
      const connections: Connection[] = [];
      let next = 0;
      const opener = async () => {
        while (next < job.count) {
          next++;
          const connection = await open(job.route, job.servername, job.path, errors);
          if (connection) connections.push(connection);
        }
      };
      await Promise.all(Array.from({ length: Math.min(job.concurrency, job.count) }, opener));
      sessions.set(job.session, connections);
      return { opened: connections.length };
    }
    case 'run': {
      const connections = sessions.get(job.session) ?? [];
      const latencies: number[] = [];
      const deadline = performance.now() + job.durationMs;
      const worker = async (index: number) => {
        while (performance.now() < deadline) {
          let connection = connections[index]!;
          if (connection.closed) {
            const reopened = await open(job.route, job.servername, job.path, errors);
            if (!reopened) return;
            connections[index] = connection = reopened;
          }
          try {
            const exchange = await connection.request(job.path, job.servername);
            if (exchange.status === 200) latencies.push(exchange.totalMs);
            else errors.add(new Error(`status ${exchange.status}`));
          } catch (error) {
            errors.add(error);
            connection.close();
          }
        }
      };
      const started = performance.now();
      await Promise.all(connections.map((_, index) => worker(index)));
      const elapsedMs = performance.now() - started;
      return {
        requests: latencies.length,
        elapsedMs,
        p50Ms: percentile(latencies, 50),
        p99Ms: percentile(latencies, 99),
      };
    }
    case 'alive':
      return { alive: (sessions.get(job.session) ?? []).filter((c) => !c.closed).length };
    case 'close': {
      for (const connection of sessions.get(job.session) ?? []) connection.close();
      sessions.delete(job.session);
      return {};
    }
    case 'new-hosts': {
      const firstBytes: number[] = [];
      const started = performance.now();
      for (const name of job.names) {
        const connectStarted = performance.now();
        try {
          const connection = new Connection(await openTls(job.route, name), job.route.timeoutMs);
          const exchange = await connection.request(job.path, name);
          connection.close();
          if (exchange.status !== 200) throw new Error(`${name}: status ${exchange.status}`);
          // From the first SYN to the response's first byte: CONNECT, handshake(s), request.
          firstBytes.push(exchange.firstByteAt - connectStarted);
        } catch (error) {
          errors.add(error);
        }
      }
      const elapsedMs = performance.now() - started;
      return {
        connections: firstBytes.length,
        elapsedMs,
        firstByteP50Ms: percentile(firstBytes, 50),
        firstByteP90Ms: percentile(firstBytes, 90),
      };
    }
    case 'h2-open':
    case 'h2-run':
    case 'h2-close':
      return runH2Job(job, errors);
    case 'bulk': {
      const connection = await open(job.route, job.servername, '/1k', errors);
      if (!connection) return { bytes: 0, ms: Number.NaN };
      try {
        const exchange = await connection.request(job.path, job.servername);
        if (exchange.status !== 200) throw new Error(`${job.path}: status ${exchange.status}`);
        return { bytes: exchange.bodyBytes, ms: exchange.totalMs };
      } catch (error) {
        errors.add(error);
        return { bytes: 0, ms: Number.NaN };
      } finally {
        connection.close();
      }
    }
  }
}

process.on('message', (message: { id: number; job: Job }) => {
  const cpu = process.cpuUsage();
  const started = performance.now();
  const errors = new Errors();
  runJob(message.job, errors).then(
    (result) => {
      const used = process.cpuUsage(cpu);
      const reply: Reply = {
        ...result,
        cpuUs: used.user + used.system,
        wallMs: performance.now() - started,
        errors: errors.count,
        firstError: errors.first,
      };
      process.send!({ id: message.id, reply });
    },
    (error: Error) => process.send!({ id: message.id, error: error.stack ?? error.message }),
  );
});
process.on('disconnect', () => process.exit(0));
