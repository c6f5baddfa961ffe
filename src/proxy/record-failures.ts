// RECORD_FAILED events, one per failed recording attempt rather than one per app connection that waited
// on it: an app with 50 connections to a host whose record failed would otherwise log 50 identical events.
import { errorEvent, type EventBus } from '../events.js';
import { formatHostPort } from '../host-port.js';
import type { HostPort } from '../types.js';

export class RecordFailures {
  /**
   * The failures already reported. Every connection waiting on one recording attempt gets the same
   * rejection reason (host-recorder.ts shares the attempt's promise); a new attempt fails with a new one.
   */
  private readonly reported = new WeakSet<object>();

  constructor(private readonly events: EventBus) {}

  /** Publishes the failure unless this very failure was published already (the first one's content is kept). */
  report(target: HostPort, error: unknown): void {
    if (typeof error === 'object' && error !== null) {
      if (this.reported.has(error)) return;
      this.reported.add(error);
    }
    const message = error instanceof Error ? error.message : String(error);
    this.events.publish(
      errorEvent('RECORD_FAILED', `recording ${formatHostPort(target)} failed: ${message}`, target.host),
    );
  }
}
