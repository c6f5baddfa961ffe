// The proxy's Via entry (RFC 9110 7.6.3) on every request it forwards; pure. Each process names
// itself with a random token (made at start), so a request that arrives already carrying it has gone
// round a chain of proxies back to this one: RFC 9110 7.6.3 names loop detection as a use of Via.

function entries(via: string | string[] | undefined): string[] {
  // Most requests carry none.
  if (via === undefined) return [];
  return (Array.isArray(via) ? via.join(',') : via)
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean);
}

/** Whether one of the Via entries was written by the proxy with this token. */
export function carriesVia(via: string | string[] | undefined, token: string): boolean {
  const own = token.toLowerCase();
  // An entry is `received-protocol received-by [comment]`.
  return entries(via).some((entry) => entry.split(/\s+/)[1]?.toLowerCase() === own);
}

/** The Via header to send upstream: what came in, then this proxy's entry, naming the protocol it received ("1.1", "2"). */
export function withVia(via: string | string[] | undefined, token: string, received = '1.1'): string {
  if (via === undefined) return `${received} ${token}`;
  return [...entries(via), `${received} ${token}`].join(', ');
}
