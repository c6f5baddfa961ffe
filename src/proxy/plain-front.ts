// The plain-HTTP side: requests in absolute form on the proxy's own listener, checked (pure, see
// plain-request.ts) and loop-guarded before the library forwards them; WebSocket upgrades refused.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { errorEvent } from '../events.js';
import { refuseRequest, type FrontContext } from './front-context.js';
import { checkPlainRequest, shownTarget, type PlainRoute } from './plain-request.js';
import { authorized } from './proxy-auth.js';
import { carriesVia } from './via.js';

export class PlainFront {
  /** Where each checked plain request goes: the one parsed URL, never the library's re-parse. */
  private readonly routes = new WeakMap<IncomingMessage, PlainRoute>();

  constructor(private readonly shared: FrontContext) {}

  /** Takes the library's listener over (after it listens): its requests and upgrades come here first. */
  attach(): void {
    const plain = this.shared.library.takePlainListener();
    this.shared.heads.watch(plain, () => 'proxy');
    plain.on('request', (req: IncomingMessage, res: ServerResponse) => this.onRequest(req, res));
    plain.on('upgrade', (_req: IncomingMessage, socket: Socket) => {
      socket.on('error', () => undefined);
      socket.end(
        'HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\ntlswitness: send WebSocket traffic through the proxy with CONNECT\n',
      );
    });
  }

  /** The checked route of a plain request the library is forwarding. */
  routeOf(req: IncomingMessage): PlainRoute | undefined {
    return this.routes.get(req);
  }

  private onRequest(req: IncomingMessage, res: ServerResponse): void {
    const { idle, options, drain, loops, library, viaToken } = this.shared;
    idle?.touch();
    const { auth, events } = options;
    const verdict = checkPlainRequest(req.url ?? '', !auth || authorized(auth, req.headers['proxy-authorization']));
    if ('refuse' in verdict) {
      refuseRequest(events, req, res, verdict.refuse, verdict.text);
      return;
    }
    const { route } = verdict;
    if (carriesVia(req.headers.via, viaToken)) {
      refuseRequest(
        events,
        req,
        res,
        508,
        'loop detected: this request already went through this proxy (its Via header names it)',
      );
      return;
    }
    drain.track(req.socket, res);
    loops
      .isSelf(route)
      .then((self) => {
        if (self) {
          refuseRequest(events, req, res, 508, 'loop detected: that is this proxy itself');
          return;
        }
        this.routes.set(req, route);
        // Origin-form and the URL's own authority, so nothing is left for the library to re-parse.
        req.url = route.path;
        req.headers.host = route.hostHeader;
        library.forwardPlain(req, res);
      })
      .catch((error: Error) => {
        events.publish(errorEvent('PROXY_ERROR', `${req.method} ${shownTarget(route.url)}: ${error.message}`));
        res.destroy();
      });
  }
}
