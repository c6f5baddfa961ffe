// The proxy variables: upper and lower case agreeing, what each client reads, NO_PROXY entries that
// some clients do not understand. Credentials never reach a message; pure, no connection is made.
import { redactProxyUrl } from '../redact/url.js';
import { finding, type Finding } from './findings.js';
import type { Env } from './snapshot.js';

const PAIRS: Array<{ upper: string; lower: string; role: string }> = [
  { upper: 'HTTPS_PROXY', lower: 'https_proxy', role: 'https:// requests go through' },
  { upper: 'HTTP_PROXY', lower: 'http_proxy', role: 'plain http:// requests go through' },
  { upper: 'ALL_PROXY', lower: 'all_proxy', role: 'requests without a more specific variable go through' },
  { upper: 'NO_PROXY', lower: 'no_proxy', role: 'these hosts bypass the proxy:' },
];

function parsesAsProxy(value: string): boolean {
  try {
    const url = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(value) ? value : `http://${value}`);
    return url.hostname !== '';
  } catch {
    return false;
  }
}

function noProxyEntries(name: string, value: string): Finding[] {
  // Python (urllib and requests) and curl match an entry as a domain suffix, a leading "." allowed;
  // "*." is Go's and some libraries' syntax only, so those hosts still go through the proxy elsewhere.
  const starred = value
    .split(',')
    .map((e) => e.trim())
    .filter((e) => /^\*\../.test(e));
  if (!starred.length) return [];
  return [
    finding(
      'proxy-variable',
      'warning',
      name,
      `${starred.join(', ')}: curl and Python do not understand "*." (Go does), so these hosts still go through the proxy for them`,
      `write them as ${starred.map((e) => e.slice(1)).join(', ')}`,
    ),
  ];
}

export function checkProxyVariables(env: Env): Finding[] {
  const out: Finding[] = [];
  for (const { upper, lower, role } of PAIRS) {
    const up = env[upper];
    const low = env[lower];
    if (up === undefined && low === undefined) continue;
    const isNoProxy = upper === 'NO_PROXY';
    if (up !== undefined && low !== undefined && up.trim() !== low.trim()) {
      // curl, Python's urllib/requests and Node's proxy-from-env read the lower-case name first; Go's
      // net/http (httpproxy.FromEnvironment) reads the upper-case one first.
      out.push(
        finding(
          'proxy-variable',
          'warning',
          `${upper} / ${lower}`,
          `disagree: ${lower}=${redactProxyUrl(low)} (read first by curl, Python and most Node libraries) but ${upper}=${redactProxyUrl(up)} (read first by Go): clients take different ${isNoProxy ? 'bypass lists' : 'proxies'}`,
          `give both the same value, e.g. export ${upper}="$${lower}"`,
        ),
      );
    }
    const effective = low ?? up!;
    const name = low !== undefined ? lower : upper;
    if (effective.trim() === '') continue;
    if (isNoProxy) {
      out.push(finding('proxy-variable', 'info', name, `${role} ${effective}`));
      out.push(...noProxyEntries(name, effective));
      continue;
    }
    if (!parsesAsProxy(effective)) {
      out.push(
        finding(
          'proxy-variable',
          'warning',
          name,
          `${redactProxyUrl(effective)} is not a proxy URL: clients fail or ignore it`,
          `set ${name}=http://host:port`,
        ),
      );
      continue;
    }
    const hidden =
      redactProxyUrl(effective) !== effective
        ? ' (credentials hidden here; every process of this user can read them)'
        : '';
    out.push(finding('proxy-variable', 'info', name, `${role} ${redactProxyUrl(effective)}${hidden}`));
    // curl reads plain-http's proxy only from lower-case http_proxy: a request header "Proxy:" becomes
    // HTTP_PROXY in CGI programs ("httpoxy"), so the upper-case name is not trusted.
    if (upper === 'HTTP_PROXY' && low === undefined) {
      out.push(
        finding(
          'proxy-variable',
          'info',
          upper,
          'curl ignores upper-case HTTP_PROXY ("httpoxy"): its http:// requests go direct',
          `also set http_proxy=${redactProxyUrl(up!)}`,
        ),
      );
    }
  }
  if (!out.length) out.push(finding('proxy-variable', 'ok', 'proxy variables', 'none set: clients connect directly'));
  return out;
}
