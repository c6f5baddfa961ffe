// HAR 1.2 (http://www.softwareishard.com/blog/har-12-spec/) of the exchanges a proxy session saw:
// everything in it comes from the exchange's redacted headers and URL (redact/), no bodies; pure.
import type { Exchange } from '../events.js';

interface HarNameValue {
  name: string;
  value: string;
}

function queryString(url: string): HarNameValue[] {
  try {
    return [...new URL(url).searchParams].map(([name, value]) => ({ name, value }));
  } catch {
    return [];
  }
}

/** Cookie names with their (already redacted) values, from the Cookie or each Set-Cookie header. */
function cookies(headers: HarNameValue[], name: 'cookie' | 'set-cookie'): HarNameValue[] {
  const values = headers.filter((h) => h.name.toLowerCase() === name).map((h) => h.value);
  const pairs = name === 'cookie' ? values.flatMap((v) => v.split(';')) : values.map((v) => v.split(';')[0]!);
  return pairs
    .map((pair) => pair.trim())
    .filter(Boolean)
    .map((pair) => {
      const eq = pair.indexOf('=');
      return eq < 0 ? { name: '', value: pair } : { name: pair.slice(0, eq), value: pair.slice(eq + 1) };
    });
}

function headerValue(headers: HarNameValue[], name: string): string | undefined {
  return headers.find((h) => h.name.toLowerCase() === name)?.value;
}

function headersSize(headers: HarNameValue[]): number {
  return headers.reduce((size, h) => size + h.name.length + h.value.length + 4, 0);
}

export function harEntry(exchange: Exchange): object {
  const { event } = exchange;
  const requestLength = Number(headerValue(exchange.requestHeaders, 'content-length') ?? 0);
  return {
    startedDateTime: exchange.startedDateTime || event.time,
    time: event.timing.totalMs,
    request: {
      method: event.method,
      url: event.url,
      httpVersion: exchange.httpVersion,
      cookies: cookies(exchange.requestHeaders, 'cookie'),
      headers: exchange.requestHeaders,
      queryString: queryString(event.url),
      headersSize: headersSize(exchange.requestHeaders),
      bodySize: Number.isFinite(requestLength) ? requestLength : -1,
    },
    response: {
      status: event.status ?? 0,
      statusText: '',
      httpVersion: exchange.httpVersion,
      cookies: cookies(exchange.responseHeaders, 'set-cookie'),
      headers: exchange.responseHeaders,
      content: {
        size: event.bytes.response,
        mimeType: headerValue(exchange.responseHeaders, 'content-type') ?? '',
        comment: 'body not recorded',
      },
      redirectURL: headerValue(exchange.responseHeaders, 'location') ?? '',
      headersSize: headersSize(exchange.responseHeaders),
      bodySize: event.bytes.response,
    },
    cache: {},
    // Only the total is measured; HAR requires the phases, -1 meaning "not applicable".
    timings: { blocked: -1, dns: -1, connect: -1, ssl: -1, send: 0, wait: event.timing.totalMs, receive: 0 },
    ...(event.blocked ? { comment: `blocked by tlswitness: ${event.blocked}` } : {}),
    _handshakeId: event.handshakeId,
  };
}

export function harLog(exchanges: Exchange[], toolVersion: string, comment?: string): object {
  return {
    log: {
      version: '1.2',
      creator: { name: 'tlswitness', version: toolVersion },
      pages: [],
      entries: exchanges.map(harEntry),
      ...(comment ? { comment } : {}),
    },
  };
}
