// client-tls-error: an app refusing the proxy's certificate. Apps often close without an alert
// (Node and Go do), so a close before any request is inferred as one, with its confidence; an app
// that keeps refusing one host is probably pinning it.
import type { EventBus } from '../events.js';
import { formatHostPort } from '../host-port.js';
import type { HostPort } from '../types.js';

const PINNED_AFTER = 3;
const MAX_HOSTS = 10_000;

export class ClientRejections {
  private readonly counts = new Map<string, number>();

  constructor(
    private readonly events: EventBus,
    private readonly caPath: string,
  ) {}

  /** A reporter for one intercepted connection: publishes at most one event. */
  reporter(target: HostPort): (confidence: 'high' | 'medium' | 'low', reason: string) => void {
    let reported = false;
    return (confidence, reason) => {
      if (reported) return;
      reported = true;
      const key = formatHostPort(target);
      const count = (this.counts.get(key) ?? 0) + 1;
      if (this.counts.size > MAX_HOSTS) this.counts.clear();
      this.counts.set(key, count);
      const pinned =
        count >= PINNED_AFTER
          ? ` It refused ${count} times for ${key}: if the app pins this host's certificate, run with --passthrough ${target.host}`
          : '';
      this.events.publish({
        type: 'client-tls-error',
        time: new Date().toISOString(),
        host: target.host,
        port: target.port,
        confidence,
        reason,
        action: `the app does not trust the tlswitness CA: point it at ${this.caPath} (tlswitness ca env prints the variables).${pinned}`,
      });
    };
  }
}
