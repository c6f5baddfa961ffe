// The last check before an event reaches any front end (NDJSON, --log, lines, TUI): the request's URL
// and an error's free text redacted again, whatever the publisher did; pure and idempotent.
import type { ProxyEvent } from '../events.js';
import { redactText, redactUrl } from './url.js';

export function redactEvent(event: ProxyEvent): ProxyEvent {
  if (event.type === 'request') {
    const url = redactUrl(event.url);
    return url === event.url ? event : { ...event, url };
  }
  if (event.type === 'error') {
    const message = redactText(event.message);
    return message === event.message ? event : { ...event, message };
  }
  return event;
}
