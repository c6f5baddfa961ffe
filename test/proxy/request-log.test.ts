// The request log: one event per exchange (with the app's HTTP version, and the stream for HTTP/2) and
// the HAR's exchange with the version as HAR writes it.
import test from 'ava';
import { EventBus, type Exchange, type ProxyEvent } from '../../src/events.js';
import { RequestLog } from '../../src/proxy/request-log.js';

function logged(request: Parameters<RequestLog['start']>[0]): { events: ProxyEvent[]; exchanges: Exchange[] } {
  const bus = new EventBus();
  const events: ProxyEvent[] = [];
  const exchanges: Exchange[] = [];
  bus.subscribe((event) => events.push(event));
  const log = new RequestLog(bus, (exchange) => exchanges.push(exchange));
  log.start(request, 'https://grpc.example.com/pkg.S/M?key=secret', 'h-1')(200, 7, {
    rawHeaders: ['content-type', 'application/grpc'],
  });
  return { events, exchanges };
}

test('an HTTP/2 exchange: httpVersion "2" and its stream id in the event, HTTP/2 in the HAR', (t) => {
  const { events, exchanges } = logged({
    method: 'POST',
    httpVersion: '2',
    rawHeaders: ['content-type', 'application/grpc', 'authorization', 'Bearer secret'],
    streamId: 5,
  });
  t.like(events[0], {
    type: 'request',
    method: 'POST',
    httpVersion: '2',
    streamId: 5,
    status: 200,
    handshakeId: 'h-1',
  });
  t.is((events[0] as { url: string }).url, 'https://grpc.example.com/pkg.S/M?key=REDACTED');
  t.is(exchanges[0]!.httpVersion, 'HTTP/2');
  t.notRegex(JSON.stringify(exchanges[0]!.requestHeaders), /Bearer secret/);
});

test('an HTTP/1.1 exchange: httpVersion "1.1" and no stream id', (t) => {
  const { events, exchanges } = logged({ method: 'GET', httpVersion: '1.1', rawHeaders: [] });
  t.like(events[0], { httpVersion: '1.1' });
  t.false('streamId' in events[0]!);
  t.is(exchanges[0]!.httpVersion, 'HTTP/1.1');
});
