// A connection showed another leaf than its host's record (a load balancer's other certificate): that
// leaf is recorded again in the background.
import type { HostPort } from '../types.js';
import type { HostRecorder } from './host-recorder.js';

/**
 * Records the host again for a leaf (`sha256`) its record is not about. With `unrecorded` (no record
 * yet: a host that passed the blocking checks has its record made after a response), once that record
 * is made and only when it is about another leaf: a refresh now would join that recording, and this
 * leaf would go unrecorded.
 */
export function recordLeafAgain(
  recorder: Pick<HostRecorder, 'record' | 'refresh'>,
  target: HostPort,
  servername: string | undefined,
  sha256: string | undefined,
  unrecorded: boolean,
): void {
  const made = unrecorded ? recorder.record(target, servername) : Promise.resolve(null);
  made
    .then((record) => (record && record.chain[0]?.sha256 === sha256 ? undefined : recorder.refresh(target, servername)))
    .catch(() => undefined);
}
