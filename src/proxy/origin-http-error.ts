// An origin's answer that breaks HTTP in a way Node's parser lets through: a 101 to a request that asked
// for no upgrade, or a status the app's HTTP version cannot carry. Told to the app as UPSTREAM_HTTP, as
// the answers the parser itself refuses (HPE_* errors), never as a TLS fault or a bug of the proxy's.
import { sameAcrossBundles } from '../cross-bundle.js';

export class OriginHttpError extends Error {
  // Thrown in one file of the built binary and tested in another (src/cross-bundle.ts).
  static {
    sameAcrossBundles(this, 'OriginHttpError');
  }

  constructor(message: string) {
    super(message);
    this.name = 'OriginHttpError';
  }
}

/**
 * The statuses Node writes on HTTP/1.1 (it throws on any other, an uncaught exception in a library's
 * handler) and on HTTP/2 (node:http2 sends 200 to 599 as final), while an origin's status line may carry
 * any three digits: 000 and 099 parse. 1xx answers never get here as final (Node waits past them).
 */
export const carriedOnH1 = (status: number) => status >= 100 && status <= 999;
export const carriedOnH2 = (status: number) => status >= 200 && status <= 599;

export function uncarriedStatus(status: number, version: 'HTTP/1.1' | 'HTTP/2'): OriginHttpError {
  return new OriginHttpError(`the origin answered with status ${status}, which an ${version} response cannot carry`);
}
