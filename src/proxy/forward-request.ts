// Each plain-HTTP request the library is about to send upstream: pointed at the checked URL (never the
// Host header or the library's re-parse), given our Via, its answer's hop-by-hop fields dropped, and
// logged. MITM requests: mitm-forward.ts.
import type { ClientRequest, IncomingMessage } from 'node:http';
import { PassThrough } from 'node:stream';
import type { ExchangeContext } from './library-adapter.js';
import { formatHostPort } from '../host-port.js';
import type { ExchangeErrors } from './exchange-errors.js';
import type { FrontContext } from './front-context.js';
import { endToEndResponseFields, requestHopFields } from './hop-fields.js';
import type { PlainRoute } from './plain-request.js';
import { carriedOnH1, uncarriedStatus } from './origin-http-error.js';
import { RequestLog } from './request-log.js';
import { refuseUnaskedUpgrade } from './unasked-upgrade.js';
import { withVia } from './via.js';

export interface ForwardParts {
  shared: FrontContext;
  errors: ExchangeErrors;
  routeOf(req: IncomingMessage): PlainRoute | undefined;
}

export function prepareForward({ shared, errors, routeOf }: ForwardParts, ctx: ExchangeContext): void {
  const request = ctx.clientToProxyRequest;
  const options = ctx.proxyToServerRequestOptions!;
  const route = routeOf(request);
  if (route) {
    // The URL that was checked, not the library's parse of it.
    options.host = route.host;
    options.port = route.port;
    options.path = route.path;
    options.headers.host = route.hostHeader;
  }
  // The library copied every field but proxy-*: those about the app's connection with the proxy go too.
  const hop = requestHopFields(request.headers);
  if (hop) for (const name of hop) delete options.headers[name];
  options.headers.via = withVia(request.headers.via, shared.viaToken);
  const path = request.url ?? '/';
  const url =
    route?.url ?? `http://${formatHostPort({ host: String(options.host), port: Number(options.port) })}${path}`;
  const upstreamProxy = shared.options.upstream.proxyFor(String(options.host));
  if (upstreamProxy) {
    // Plain HTTP through the upstream proxy: absolute-form request line (RFC 9112 3.2.2) and its credentials.
    options.path = url;
    // The plain agent dials it through the connector, which applies --resolve.
    options.host = upstreamProxy.host;
    options.port = upstreamProxy.port;
    if (upstreamProxy.authorization)
      options.headers = { ...options.headers, 'proxy-authorization': upstreamProxy.authorization };
  }
  errors.watch(ctx, formatHostPort({ host: String(options.host), port: Number(options.port) }));
  // The library makes the upstream request, then pipes the app's body through its filters: the first
  // filter's 'pipe' is the first moment that request exists.
  const filter = new PassThrough();
  filter.once('pipe', () => refuseUnaskedUpgrade(ctx.proxyToServerRequest as ClientRequest));
  ctx.addRequestFilter(filter);
  const done = shared.requests.start(request, url, null);
  const counted = { bytes: 0 };
  ctx.onResponse((_ctx, callback) => {
    const answer = ctx.serverToProxyResponse;
    // The library writes the origin's status as it came, and Node throws on one under 100 (000 parses).
    if (answer && !carriedOnH1(answer.statusCode ?? 0)) {
      answer.destroy();
      return callback(uncarriedStatus(answer.statusCode ?? 0, 'HTTP/1.1'));
    }
    // The library passes the origin's fields to the app as they came (less Public-Key-Pins), those
    // about the origin's own connection included; it writes them after this hook.
    if (answer) answer.headers = endToEndResponseFields(answer.headers);
    RequestLog.countBytes(answer, counted);
    callback();
  });
  const response = ctx.proxyToClientResponse;
  // An exchange cut short is logged with status null.
  response.once('close', () => {
    done(response.writableFinished ? response.statusCode : null, counted.bytes, {
      rawHeaders: ctx.serverToProxyResponse?.rawHeaders,
    });
  });
}
