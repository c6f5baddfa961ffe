// Errors in forwarded exchanges, as the library reports them: one `error` event per exchange (the
// first error is the cause, later ones its echoes) and the app's answer (exchange-failure.ts; the
// block page when OpenSSL refused the upstream connection).
import type { ClientRequest, IncomingMessage, ServerResponse } from 'node:http';
import { errorEvent, type EventBus } from '../events.js';
import { formatHostPort } from '../host-port.js';
import { blockResponse } from './block-response.js';
import { exchangeFailure } from './exchange-failure.js';
import { UpstreamRefusal } from './openssl-gate.js';

/** One forwarded exchange: the library's context (plain HTTP) or the MITM forwarder's (mitm-forward.ts). */
export interface Exchange {
  clientToProxyRequest: IncomingMessage;
  proxyToClientResponse: ServerResponse;
  proxyToServerRequest?: ClientRequest | undefined;
  serverToProxyResponse?: IncomingMessage | undefined;
  proxyToServerRequestOptions?: { host?: unknown; port?: unknown } | undefined;
  /** Where the exchange goes (host:port), when its maker names it here rather than through `watch`. */
  target?: string;
}

export class ExchangeErrors {
  private readonly targets = new WeakMap<Exchange, string>();
  private readonly reported = new WeakSet<Exchange>();

  constructor(
    private readonly events: EventBus,
    /** The app's exchange was already answered and reported elsewhere (a request deadline cut it). */
    private readonly answeredElsewhere: (response: ServerResponse) => boolean = () => false,
  ) {}

  /** Names where the exchange goes, and ties the upstream side to the app's: an app that leaves ends both. */
  watch(ctx: Exchange, target: string): void {
    this.targets.set(ctx, target);
    ctx.proxyToClientResponse.once('close', () => this.closed(ctx));
  }

  /**
   * The app's response closed: if before it was complete, the app left, and the upstream side ends too.
   * `watch` calls it; an exchange that names its `target` itself calls it from its own close listener.
   */
  closed(ctx: Exchange): void {
    if (ctx.proxyToClientResponse.writableFinished) return;
    if (!this.reported.has(ctx))
      this.handle(
        'PROXY_TO_CLIENT_RESPONSE_ERROR',
        ctx,
        new Error('the app closed the connection before the response was complete'),
      );
    ctx.proxyToServerRequest?.destroy();
    ctx.serverToProxyResponse?.destroy();
  }

  handle(kind: string, ctx: Exchange | null, error: Error): void {
    if (ctx && this.reported.has(ctx)) return;
    if (ctx) this.reported.add(ctx);
    if (ctx && this.answeredElsewhere(ctx.proxyToClientResponse)) {
      ctx.proxyToServerRequest?.destroy();
      return;
    }
    const options = ctx?.proxyToServerRequestOptions;
    const target =
      ctx?.target ??
      (ctx && this.targets.get(ctx)) ??
      (options ? formatHostPort({ host: String(options.host), port: Number(options.port) }) : 'the upstream');
    const failure = exchangeFailure(kind, error, target);
    this.events.publish(errorEvent(failure.code, failure.message, ctx ? target : undefined));
    if (!ctx) return;
    const response = ctx.proxyToClientResponse;
    if (error instanceof UpstreamRefusal && error.record && !response.headersSent && !response.destroyed) {
      // As when the record itself refuses: the app reads why, with OpenSSL's reason in it.
      ctx.clientToProxyRequest.resume();
      const page = blockResponse(error.record, ctx.clientToProxyRequest.headers.accept);
      const problem = error.record.diagnosis.problem;
      // Set (not only written) so that the request log can read it as the block's reason.
      response.setHeader('x-tlswitness-problem', problem);
      response.writeHead(page.status, {
        'content-type': page.contentType,
        'content-length': Buffer.byteLength(page.body),
        'x-tlswitness-error': failure.code,
      });
      response.end(page.body);
      return;
    }
    if (failure.status && !response.headersSent && !response.destroyed) {
      ctx.clientToProxyRequest.resume();
      const body = `tlswitness: ${failure.message}\n`;
      response.writeHead(failure.status, {
        'content-type': 'text/plain; charset=utf-8',
        'content-length': Buffer.byteLength(body),
        'x-tlswitness-error': failure.code,
      });
      response.end(body);
      return;
    }
    // A response already under way cannot change its status: cutting the connection tells the app it is incomplete.
    if (!response.writableFinished) response.destroy();
    ctx.proxyToServerRequest?.destroy();
  }
}
