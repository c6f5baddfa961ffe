// A Node http.Agent's two ways in (addRequest and the createConnection callback) guarded: a throw there,
// from a bug, would end the request handler that made the request or leave a rejection nobody handles
// (either ends Node 20's process), and the request would never end. It fails the request instead.
import type { ClientRequest } from 'node:http';
import type { Duplex } from 'node:stream';
import { asFault } from './internal-fault.js';

const PATH = 'the upstream agent';

/**
 * Runs `add`; a throw fails the request as Node fails one whose connection could not be made: through
 * onSocket with no socket and the error, which emits it on the next tick, once the request's maker has its
 * error listener on (request.destroy() without a socket only keeps the error for a socket that never comes).
 */
export function guardAdd(request: ClientRequest, add: () => void): void {
  try {
    add();
  } catch (error) {
    (request as unknown as { onSocket(socket: null, error: Error): void }).onSocket(null, asFault(PATH, error));
  }
}

/**
 * Hands what `dial` makes to Node's createConnection callback. A throw from `dial` fails it; a throw from
 * handing the socket over destroys the socket with it (Node's callback ignores a second call).
 */
export function handOver(dial: () => Promise<Duplex>, callback: (error: Error | null, socket?: Duplex) => void): void {
  let dialing: Promise<Duplex>;
  try {
    dialing = dial();
  } catch (error) {
    dialing = Promise.reject(asFault(PATH, error));
  }
  dialing.then(
    (socket) => {
      try {
        callback(null, socket);
      } catch (error) {
        socket.destroy(asFault(PATH, error));
      }
    },
    (error: Error) => {
      try {
        callback(error);
      } catch {
        // The request was told already, or has gone: nothing is waiting on it.
      }
    },
  );
}
