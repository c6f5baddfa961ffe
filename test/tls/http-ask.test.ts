// HttpAsk: the request written, and the answer read as bytes come in (split anywhere).
import test from 'ava';
import { HttpAsk, parseStatusLine } from '../../src/tls/http-ask.js';
import type { HttpAnswer } from '../../src/types.js';

function ask(host = 'api.example.com:8443') {
  const written: string[] = [];
  const answers: HttpAnswer[] = [];
  const asker = new HttpAsk(
    host,
    (text) => written.push(text),
    (a) => answers.push(a),
  );
  asker.start();
  return { asker, written, answers };
}

test('HEAD / with Host and Connection: close', (t) => {
  const { written } = ask();
  t.deepEqual(written, [
    'HEAD / HTTP/1.1\r\nHost: api.example.com:8443\r\nUser-Agent: tlswitness\r\nAccept: */*\r\nConnection: close\r\n\r\n',
  ]);
});

test('a response split across chunks is read once its head is complete', (t) => {
  const { asker, answers } = ask();
  asker.data(Buffer.from('HTTP/1.1 400 Bad'));
  t.is(answers.length, 0);
  asker.data(Buffer.from(' Request\r\nServer: nginx\r\n\r\n'));
  t.like(answers[0], { request: 'HEAD /', status: 400, statusText: 'Bad Request', end: 'response' });
  asker.ended('closed', null);
  t.is(answers.length, 1, 'one answer only');
});

test('405 to HEAD on a connection kept open: GET / follows, and its page is read', (t) => {
  const { asker, written, answers } = ask();
  asker.data(Buffer.from('HTTP/1.1 405 Method Not Allowed\r\nContent-Length: 0\r\n\r\n'));
  t.is(answers.length, 0);
  t.regex(written[1]!, /^GET \/ HTTP\/1\.1\r\n/);
  asker.data(Buffer.from('HTTP/1.1 403 Forbidden\r\nContent-Length: 26\r\n\r\nclient certificate needed'));
  t.is(answers.length, 0, 'one byte short of Content-Length');
  asker.data(Buffer.from('\n'));
  t.like(answers[0], { request: 'GET /', status: 403 });
  t.regex(answers[0]!.head, /client certificate needed/);
});

test('405 with Connection: close is the answer (no GET on a closing connection)', (t) => {
  const { asker, written, answers } = ask();
  asker.data(Buffer.from('HTTP/1.1 405 Method Not Allowed\r\nConnection: close\r\n\r\n'));
  t.is(written.length, 1);
  t.like(answers[0], { request: 'HEAD /', status: 405 });
});

test('a GET answer without Content-Length ends with the connection', (t) => {
  const { asker, answers } = ask();
  asker.data(Buffer.from('HTTP/1.1 405 Method Not Allowed\r\nContent-Length: 0\r\n\r\n'));
  asker.data(Buffer.from('HTTP/1.0 400 Bad Request\r\n\r\nNo required SSL certificate'));
  t.is(answers.length, 0);
  asker.ended('closed', null);
  t.like(answers[0], { request: 'GET /', status: 400, end: 'response' });
});

test('closed, reset or alert before any byte; bytes that are not HTTP; silence', (t) => {
  for (const end of ['closed', 'reset', 'alert', 'timeout'] as const) {
    const { asker, answers } = ask();
    asker.ended(end, end === 'alert' ? 'alert 116' : null);
    t.like(answers[0], { status: null, end });
  }
  const { asker, answers } = ask();
  asker.data(Buffer.from('220 smtp.example.com ESMTP\r\n'));
  t.like(answers[0], { status: null, end: 'not-http' });
});

test('parseStatusLine', (t) => {
  t.deepEqual(parseStatusLine('HTTP/1.1 496 \r\n'), { status: 496, statusText: '' });
  t.deepEqual(parseStatusLine('HTTP/1.0 200 OK\r\n'), { status: 200, statusText: 'OK' });
  t.is(parseStatusLine('HTTP/2 200\r\n'), null);
  t.is(parseStatusLine('SSH-2.0\r\n'), null);
});
