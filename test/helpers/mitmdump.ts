// How mitmdump (mitmproxy) is started on loopback, for the tests and the bench alike: regular mode, its CA kept
// in a directory of the caller's, and the origin verified against the caller's roots, as tlswitness verifies it
// (never ssl_insecure), so the chain it re-signs was a good one.

export interface MitmdumpOptions {
  port: number;
  /** mitmproxy's confdir: where it makes and keeps its CA (mitmproxy-ca-cert.pem). */
  confdir: string;
  /** A PEM file of the roots it trusts for the origin (ssl_verify_upstream_trusted_ca). */
  upstreamRoots: string;
  /** More `--set name=value` options, in order, before the upstream roots. */
  sets?: readonly string[];
}

/** The command line, program first. */
export function mitmdumpCommand(options: MitmdumpOptions): string[] {
  return [
    'mitmdump',
    '--listen-host',
    '127.0.0.1',
    '--listen-port',
    String(options.port),
    '--set',
    `confdir=${options.confdir}`,
    ...(options.sets ?? []).flatMap((set) => ['--set', set]),
    '--set',
    `ssl_verify_upstream_trusted_ca=${options.upstreamRoots}`,
  ];
}
