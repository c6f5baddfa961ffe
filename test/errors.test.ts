// Secrets in URLs never reach a message.
import test from 'ava';
import { redactText } from '../src/redact/url.js';

test('redactText removes credentials, including @ in passwords, and keeps hints and IPv6 hosts', (t) => {
  t.is(redactText('proxy http://alice:s3cret@proxy:3128 failed'), 'proxy http://***@proxy:3128 failed');
  t.is(redactText('http://alice:p@ss@proxy:3128/x'), 'http://***@proxy:3128/x');
  t.is(redactText('http://u:p@[::1]:8080'), 'http://***@[::1]:8080');
  t.is(redactText('use http://[user:pass@]host:port'), 'use http://[user:pass@]host:port');
  t.is(redactText('http://proxy:3128'), 'http://proxy:3128');
  t.is(redactText('target "https://h/?token=s1" is not a valid URL'), 'target "https://h/?token=REDACTED" is not a valid URL');
});
