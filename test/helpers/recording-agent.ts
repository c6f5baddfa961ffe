// The proxy's upstream agent and its real host recorder, wired as proxy-run wires them: a host is
// recorded from a traffic connection's handshake when one is given (`seen`), else by a probe of its own.
import type { SecureVersion } from 'node:tls';
import { HostRecorder, type Observe } from '../../src/proxy/host-recorder.js';
import { upstreamAcceptable } from '../../src/proxy/policy.js';
import { UpstreamAgent } from '../../src/proxy/upstream-agent.js';
import type { TrustContext } from '../../src/record/assemble.js';
import { observeHandshake, passesOnSight, type HandshakeRequest } from '../../src/record/observe.js';
import type { HostPort } from '../../src/types.js';
import type { Sighting } from '../../src/tls/observe-target.js';

export interface RecordingAgentOptions {
  /** host:port → addresses, as --resolve gives them. */
  resolve: Map<string, string[]>;
  trust: TrustContext;
  anchors: () => string[] | Promise<string[]>;
  maxVersion?: SecureVersion;
  /** Told of every recording: with the traffic connection's sighting, or undefined for a probe. */
  onRecording?: (seen: Sighting | undefined) => void;
  /** How long a record stays fresh (the recorder's default otherwise). */
  ttlMs?: number;
  /** How long a failed recording stays fresh (the recorder's default otherwise). */
  failureTtlMs?: number;
  /** A host whose traffic connection passes the blocking checks is let through before its record (as proxy-run wires it). */
  prejudge?: boolean;
  /** Each record is made only once this settles. */
  holdRecords?: Promise<unknown>;
}

/** A handshake request as the proxy makes one for a host (HTTP/1.1 offered, no client certificate). */
export function testHandshakeRequest(
  target: HostPort,
  servername: string | undefined,
  maxVersion: SecureVersion = 'TLSv1.3',
  resolve: Map<string, string[]> = new Map(),
): HandshakeRequest {
  return {
    id: 'h-test',
    target,
    servername,
    resolve,
    proxy: null,
    minVersion: 'TLSv1.2',
    maxVersion,
    alpn: ['http/1.1'],
    client: null,
    timeoutMs: 5000,
    fetchMissing: false,
  };
}

export function recordingAgent({
  resolve,
  trust,
  anchors,
  maxVersion = 'TLSv1.3',
  onRecording,
  ttlMs,
  failureTtlMs,
  prejudge = false,
  holdRecords,
}: RecordingAgentOptions): { agent: UpstreamAgent; recorder: HostRecorder } {
  const request = (target: HostPort, servername: string | undefined) =>
    testHandshakeRequest(target, servername, maxVersion, resolve);
  const observe: Observe = async (target, servername, seen) => {
    onRecording?.(seen);
    await holdRecords;
    return observeHandshake(request(target, servername), trust, undefined, seen);
  };
  const recorder = new HostRecorder(
    prejudge
      ? {
          observe,
          prejudge: (target, servername, seen) =>
            passesOnSight(request(target, servername), seen, trust) ? 'h-test' : null,
        }
      : observe,
    () => undefined,
    ttlMs,
    undefined,
    failureTtlMs,
  );
  const agent = new UpstreamAgent({
    resolve,
    proxyFor: () => null,
    minVersion: 'TLSv1.2',
    timeoutMs: 5000,
    responseTimeoutMs: 5000,
    recorder,
    accepts: (record) => upstreamAcceptable({}, record),
    clientFor: () => null,
    anchors,
    opensslLevel: () => trust.opensslLevel ?? null,
    trust: () => trust,
  });
  return { agent, recorder };
}
