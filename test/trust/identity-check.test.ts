import test from 'ava';
import net from 'node:net';
import { checkServerIdentity, type PeerCertificate } from 'node:tls';
import { nodeIdentityCheck } from '../../src/trust/identity-check.js';

const peer = (subjectaltname: string | undefined, CN = 'cn.example.com') =>
  ({ subject: { CN }, subjectaltname }) as unknown as PeerCertificate;

const leaves = [
  peer('DNS:*.example.com, DNS:example.com, IP Address:192.0.2.1, IP Address:2001:DB8:0:0:0:0:0:1'),
  peer(undefined),
  peer('DNS:xn--bcher-kva.example, DNS:a*b.example.org'),
];
const names = [
  'www.example.com',
  'example.com',
  'example.com.',
  'a.b.example.com',
  'cn.example.com',
  '192.0.2.1',
  '192.0.2.2',
  '2001:db8::1',
  '2001:db8::2',
  '::ffff:192.0.2.1',
  'xn--bcher-kva.example',
  'axb.example.org',
  'localhost',
  '',
];

test('the identity check answers as Node checkServerIdentity does, IPv4 and IPv6 addresses included', (t) => {
  for (const leaf of leaves)
    for (const name of names) {
      const node = checkServerIdentity(name, leaf);
      const ours = nodeIdentityCheck(name, leaf);
      t.is(ours?.message, node?.message, `${name} against ${leaf.subjectaltname}`);
      t.is((ours as { reason?: string } | undefined)?.reason, (node as { reason?: string } | undefined)?.reason);
    }
});

test('the identity check does not run node:net isIP (its IPv6 expression), and puts it back', (t) => {
  const original = net.isIP;
  let calls = 0;
  const spy = (input: string) => (calls++, original(input));
  net.isIP = spy;
  try {
    t.is(nodeIdentityCheck('www.example.com', leaves[0]!), undefined);
    t.truthy(nodeIdentityCheck('2001:db8::2', leaves[0]!));
    t.is(calls, 0);
    t.is(net.isIP, spy);
    checkServerIdentity('www.example.com', leaves[0]!);
    t.is(calls, 1, 'Node asks net.isIP (else this test proves nothing)');
  } finally {
    net.isIP = original;
  }
});
