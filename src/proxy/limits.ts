// The proxy's own deadlines, and why their defaults are what they are.

export interface ProxyLimits {
  /**
   * From a connection's start (or the end of its previous exchange) to a complete request head.
   * 10 s, as HAProxy's recommended `timeout http-request`: a real client sends its head in one
   * go, so only a slowloris sender gets near it; Node's own 60 s headersTimeout is checked only
   * every 30 s and not at all on the MITM's in-process server.
   */
  headerTimeoutMs: number;
  /**
   * Upstream silence during an exchange (waiting for the answer, or between two reads of it)
   * before the app gets a 504: 60 s, nginx's proxy_read_timeout, so slow APIs and long polls pass.
   */
  responseTimeoutMs: number;
  /** On SIGINT / SIGTERM: how long exchanges in flight may take to finish before they are cut. */
  shutdownGraceMs: number;
}

export const DEFAULT_LIMITS: ProxyLimits = {
  headerTimeoutMs: 10_000,
  responseTimeoutMs: 60_000,
  shutdownGraceMs: 5_000,
};
