// What the proxy's two fronts (MITM and plain HTTP) share: its options, the run's bookkeeping and the
// library adapter; and the one way either of them refuses a request.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { LeafMinter } from '../ca/leaf-minter.js';
import type { LocalCa } from '../ca/local-ca.js';
import { errorEvent, type EventBus, type ExchangeListener } from '../events.js';
import type { ClientCertRefusals } from './client-cert-refusals.js';
import type { ExchangeDrain } from './drain.js';
import type { ExchangeErrors } from './exchange-errors.js';
import type { HostRecorder, Observe, Observer } from './host-recorder.js';
import type { IdleCollector } from './idle-collector.js';
import type { LibraryAdapter } from './library-adapter.js';
import type { ProxyLimits } from './limits.js';
import type { LoopGuard } from './loop-guard.js';
import { shownTarget } from './plain-request.js';
import type { PolicyOptions } from './policy.js';
import type { ProxyAuth } from './proxy-auth.js';
import type { RequestHeadGuard } from './request-heads.js';
import type { RequestLog } from './request-log.js';
import type { UpstreamAgent, UpstreamOptions } from './upstream-agent.js';

export interface ProxyServerOptions {
  host: string;
  port: number;
  policy: PolicyOptions;
  /** Required credentials (--auth); null when none are required. */
  auth: ProxyAuth | null;
  ca: LocalCa;
  minter: LeafMinter;
  events: EventBus;
  observe: Observe | Observer;
  upstream: Omit<UpstreamOptions, 'recorder' | 'accepts' | 'responseTimeoutMs' | 'disagreed'>;
  /** Deadlines; DEFAULT_LIMITS for what is not given. */
  limits?: Partial<ProxyLimits>;
  /** Receives each exchange with its (redacted) headers, when a HAR is kept. */
  exchanges?: ExchangeListener;
  /** A full garbage collection, run when the proxy goes quiet (see idle-collector.ts); none when not given. */
  collectGarbage?: () => void;
}

export interface FrontContext {
  readonly options: ProxyServerOptions;
  readonly limits: ProxyLimits;
  readonly library: LibraryAdapter;
  readonly recorder: HostRecorder;
  readonly requests: RequestLog;
  /** Errors in forwarded exchanges: one event each, and the app's answer. */
  readonly errors: ExchangeErrors;
  /** Upstreams that asked for a client certificate, got none, and refuse the app at the HTTP layer. */
  readonly refusals: ClientCertRefusals;
  readonly heads: RequestHeadGuard;
  readonly drain: ExchangeDrain;
  readonly loops: LoopGuard;
  readonly idle: IdleCollector | null;
  /** Every app connection the public listener accepted (closed on shutdown). */
  readonly sockets: Set<Socket>;
  /** This process's Via received-by pseudonym: a request that carries it has looped back. */
  readonly viaToken: string;
  /** The upstream TLS agent, once the proxy listens. */
  agent(): UpstreamAgent | null;
}

/** Answers a request the proxy will not forward (never echoing credentials from its target). */
export function refuseRequest(
  events: EventBus,
  req: IncomingMessage,
  res: ServerResponse,
  status: 400 | 407 | 508,
  text: string,
): void {
  // A 407 is the normal first step of a client that has credentials; the rest are worth an event.
  if (status !== 407)
    events.publish(
      errorEvent(
        status === 508 ? 'LOOP' : 'BAD_REQUEST',
        `refused ${req.method} ${shownTarget(String(req.url))}: ${text}`,
      ),
    );
  req.resume();
  res.writeHead(status, {
    'content-type': 'text/plain; charset=utf-8',
    connection: 'close',
    ...(status === 407 ? { 'proxy-authenticate': 'Basic realm="tlswitness"' } : {}),
  });
  res.end(`tlswitness: ${text}\n`);
}
