// The proxy's Via entry and loop detection by it.
import test from 'ava';
import { carriesVia, withVia } from '../../src/proxy/via.js';

const token = 'tlswitness-0123456789ab';

test('the entry is appended after what came in', (t) => {
  t.is(withVia(undefined, token), `1.1 ${token}`);
  t.is(withVia('1.0 fred, 1.1 p.example.net', token), `1.0 fred, 1.1 p.example.net, 1.1 ${token}`);
  t.is(withVia(['1.1 a', '1.1 b'], token), `1.1 a, 1.1 b, 1.1 ${token}`);
});

test('a request received over HTTP/2 is named "2" (RFC 9110 7.6.3: the received protocol version)', (t) => {
  t.is(withVia('1.1 a', token, '2'), `1.1 a, 2 ${token}`);
  t.true(carriesVia(`2 ${token}`, token));
});

test('a request carrying this token anywhere in Via has looped; others have not', (t) => {
  t.true(carriesVia(`1.1 ${token}`, token));
  t.true(carriesVia(`1.0 fred, 1.1 ${token.toUpperCase()} (tlswitness), HTTP/1.1 squid`, token));
  t.true(carriesVia(['1.1 squid', `1.1 ${token}`], token));
  t.false(carriesVia(undefined, token));
  t.false(carriesVia('1.1 tlswitness-ffffffffffff', token), 'another tlswitness process');
  t.false(carriesVia(`1.1 proxy (${token})`, token), 'a comment is not a received-by');
  t.false(carriesVia(`${token}`, token));
});
