// Each request the library is about to send upstream, from either front: pointed at the CONNECT target
// or the checked plain URL (never the Host header or the library's re-parse), given our Via, and logged.
import type { IncomingMessage } from 'node:http';
import type { ExchangeContext } from './library-adapter.js';
import { formatHostPort } from '../host-port.js';
import type { ClientCertRefusals } from './client-cert-refusals.js';
import type { ExchangeErrors } from './exchange-errors.js';
import type { FrontContext } from './front-context.js';
import type { MitmConnection } from './mitm-session.js';
import type { PlainRoute } from './plain-request.js';
import { RequestLog } from './request-log.js';
import { withVia } from './via.js';

export interface ForwardParts {
  shared: FrontContext;
  errors: ExchangeErrors;
  refusals: ClientCertRefusals;
  connectionOf(socket: object): MitmConnection | undefined;
  routeOf(req: IncomingMessage): PlainRoute | undefined;
}

export function prepareForward(
  { shared, errors, refusals, connectionOf, routeOf }: ForwardParts,
  ctx: ExchangeContext,
): void {
  const request = ctx.clientToProxyRequest;
  const connection = connectionOf(request.socket);
  const options = ctx.proxyToServerRequestOptions!;
  const route = connection ? undefined : routeOf(request);
  if (connection) {
    // Dial what the app CONNECTed to, not what its Host header says.
    options.host = connection.target.host;
    options.port = connection.target.port;
    // With the name verified for this session as SNI (part of Node's pool key), never the Host header's.
    (options as { servername?: string }).servername = connection.name?.servername ?? '';
  } else if (route) {
    // The URL that was checked, not the library's parse of it.
    options.host = route.host;
    options.port = route.port;
    options.path = route.path;
    options.headers.host = route.hostHeader;
  }
  options.headers.via = withVia(request.headers.via, shared.viaToken);
  const path = request.url ?? '/';
  const url = connection
    ? `https://${formatHostPort(connection.target)}${path}`
    : (route?.url ?? `http://${formatHostPort({ host: String(options.host), port: Number(options.port) })}${path}`);
  const upstreamProxy = connection ? null : shared.options.upstream.proxyFor(String(options.host));
  if (upstreamProxy) {
    // Plain HTTP through the upstream proxy: absolute-form request line (RFC 9112 3.2.2) and its credentials.
    options.path = url;
    // The plain agent dials it through the connector, which applies --resolve.
    options.host = upstreamProxy.host;
    options.port = upstreamProxy.port;
    if (upstreamProxy.authorization)
      options.headers = { ...options.headers, 'proxy-authorization': upstreamProxy.authorization };
  }
  errors.watch(
    ctx,
    connection
      ? formatHostPort(connection.target)
      : formatHostPort({ host: String(options.host), port: Number(options.port) }),
  );
  const done = shared.requests.start(request, url, connection?.record.id ?? null);
  const counted = { bytes: 0 };
  ctx.onResponse((_ctx, callback) => {
    RequestLog.countBytes(ctx.serverToProxyResponse, counted);
    refusals.response(connection, request.method ?? 'GET', ctx.serverToProxyResponse);
    callback();
  });
  const response = ctx.proxyToClientResponse;
  // An exchange cut short is logged with status null.
  response.once('close', () => {
    // A block page written for a connection OpenSSL refused (exchange-errors.ts) is logged as blocked.
    const blocked = ctx.serverToProxyResponse ? undefined : response.getHeader('x-tlswitness-problem');
    done(response.writableFinished ? response.statusCode : null, counted.bytes, {
      rawHeaders: ctx.serverToProxyResponse?.rawHeaders,
      ...(typeof blocked === 'string' ? { blocked } : {}),
    });
  });
}
