// The one module that touches http-mitm-proxy: its request pipeline is used, its private entry points
// and its own listener are reached only from here, so a new version of the library changes one file.
import type { Agent as HttpAgent, IncomingMessage, Server as HttpServer, ServerResponse } from 'node:http';
import type { Agent as HttpsAgent } from 'node:https';
import type { Socket } from 'node:net';
import { Proxy, type IContext } from 'http-mitm-proxy';
// Read when the bundle is built: the version checked is the one that was bundled.
import libraryPackage from 'http-mitm-proxy/package.json' with { type: 'json' };
import { TlswitnessError } from '../errors.js';

/** The version this code was written against (package.json pins it exactly; a test keeps the two equal). */
export const PINNED_LIBRARY_VERSION = '1.1.0';

/** The bundled library is the pinned one, or the proxy does not start: its private entry points may have moved. */
export function checkLibraryVersion(installed: string, pinned = PINNED_LIBRARY_VERSION): void {
  if (installed !== pinned)
    throw new TlswitnessError(
      'bad-usage',
      `http-mitm-proxy ${installed} is bundled but tlswitness is built for ${pinned}: rebuild with http-mitm-proxy@${pinned}`,
    );
}

/** One forwarded exchange as the library hands it to hooks (its public context type). */
export type ExchangeContext = IContext;

export type LibraryErrorHandler = (kind: string, ctx: IContext | null, error: Error) => void;

/**
 * The library's Proxy with its error and logging paths handed to us. It answers every error with a bare
 * "504 Proxy Error", writes it to console.error, and appends the error text to a response already under
 * way, so a body cut off by the upstream looks complete to the app; and it writes a debug line to the
 * console for every app that resets its CONNECT. Nothing of it reaches the console (which the TUI owns).
 */
class QuietProxy extends Proxy {
  constructor(private readonly handleError: LibraryErrorHandler) {
    super();
  }

  override _onError(kind: string, ctx: IContext | null, error: Error): void {
    this.handleError(kind, ctx, error);
  }

  // The library's own version logs ECONNRESET with console.debug and passes the rest to _onError.
  override _onSocketError(socketDescription: string, error: NodeJS.ErrnoException): void {
    if (error.code === 'ECONNRESET') return;
    this.handleError(`${socketDescription}_ERROR`, null, error);
  }
}

export interface LibraryListenOptions {
  httpAgent: HttpAgent;
  httpsAgent: HttpsAgent;
  /** Where the library keeps its CA files (it loads or creates one at listen). */
  caDir: string;
}

export class LibraryAdapter {
  private readonly proxy: QuietProxy;

  constructor(handleError: LibraryErrorHandler, installedVersion: string = libraryPackage.version) {
    checkLibraryVersion(installedVersion);
    this.proxy = new QuietProxy(handleError);
  }

  /** Starts the library's own listener, on an unadvertised loopback port; the public listener is ours. */
  listen(options: LibraryListenOptions): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.proxy.listen(
        {
          host: '127.0.0.1',
          port: 0,
          keepAlive: true,
          httpsAgent: options.httpsAgent,
          httpAgent: options.httpAgent,
          sslCaDir: options.caDir,
        },
        (error?: Error | null) => (error ? reject(error) : resolve()),
      );
    });
  }

  /** The library's listener port, -1 before it listens. */
  get port(): number {
    const address = this.proxy.httpServer?.address();
    return typeof address === 'object' && address ? address.port : -1;
  }

  /** Hands an accepted app connection to the library's listener (which parses CONNECT and plain requests). */
  accept(socket: Socket): void {
    this.proxy.httpServer?.emit('connection', socket);
  }

  /**
   * The library's listener with its request, upgrade and clientError handlers removed: plain requests
   * are checked before the library sees them (it rewrites req.url, and would send an https:// URL in
   * cleartext or loop to itself); they come back through forwardPlain.
   */
  takePlainListener(): HttpServer {
    const server = this.proxy.httpServer;
    if (!server) throw new Error('http-mitm-proxy is not listening');
    server.removeAllListeners('request');
    server.removeAllListeners('upgrade');
    server.removeAllListeners('clientError');
    return server;
  }

  /** A checked plain-HTTP request, forwarded by the library's pipeline. */
  forwardPlain(req: IncomingMessage, res: ServerResponse): void {
    this.proxy._onHttpServerRequest(false, req, res);
  }

  onConnect(handler: (req: IncomingMessage, socket: Socket, head: Buffer) => void): void {
    this.proxy.onConnect((req, socket, head) => handler(req, socket as Socket, head));
  }

  /** Each forwarded request before it is sent upstream; the handler may change ctx.proxyToServerRequestOptions. */
  onRequest(handler: (ctx: IContext) => void): void {
    this.proxy.onRequest((ctx, callback) => {
      handler(ctx);
      callback();
    });
  }

  /** The per-host HTTPS servers the library keeps when it does its own MITM (never, here: a test checks). */
  perHostServers(): number {
    return Object.keys((this.proxy as unknown as { sslServers?: Record<string, unknown> }).sslServers ?? {}).length;
  }

  close(): void {
    this.proxy.close();
  }
}
