// An origin that answers 101 Switching Protocols to a request that asked for no upgrade. Node then takes
// the socket off the request and, with no 'upgrade' listener, destroys it without an error or a response
// event: the exchange would wait for ever. Told as the request's error instead, so the app gets a 502.
import type { ClientRequest, IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { unaskedUpgrade } from './origin-http-error.js';

/** Whether `req` itself asks to switch protocols (a WebSocket's request): its 101 is its caller's. */
function asksUpgrade(req: ClientRequest): boolean {
  return req.getHeader('upgrade') !== undefined;
}

/** Makes an unasked-for 101 on `req` an 'error' event (emitted before its 'close'); a request that asks to upgrade is left alone. */
export function refuseUnaskedUpgrade(req: ClientRequest): void {
  if (asksUpgrade(req)) return;
  req.once('upgrade', (answer: IncomingMessage, socket: Duplex) => {
    socket.destroy();
    req.emit('error', unaskedUpgrade(answer.statusCode ?? 101));
  });
}
