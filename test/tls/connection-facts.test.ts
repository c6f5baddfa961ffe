// What a finished TLS connection shows of OpenSSL's verification: OpenSSL's own text from the socket's
// native handle where Node has it, and Node's code alone where it does not (docs/design.md, Node internals
// it relies on). That Node 20's handle has it is checked in test/node-internals.test.ts.
import test from 'ava';
import type { TLSSocket } from 'node:tls';
import { connectionFacts } from '../../src/tls/connection-facts.js';
import { opensslVerdict } from '../../src/trust/openssl-verdict.js';

const refused = (handle: object | undefined) =>
  ({
    authorized: false,
    authorizationError: 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
    _handle: handle,
  }) as unknown as TLSSocket;

test("OpenSSL's text from the handle's verifyError", (t) => {
  const socket = refused({ verifyError: () => new Error('unable to get local issuer certificate') });
  const facts = connectionFacts(socket, null, null);
  t.is(facts.verifyMessage, 'unable to get local issuer certificate');
  t.is(opensslVerdict(facts).opensslCode, 20);
});

test('a Node whose handle has no verifyError, or one that throws: no text, and the verdict from Node’s code', (t) => {
  for (const handle of [
    undefined,
    {},
    {
      verifyError: () => {
        throw new Error('gone');
      },
    },
  ]) {
    const facts = connectionFacts(refused(handle), null, null);
    t.is(facts.verifyMessage, null);
    t.is(facts.authorizationError, 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY');
    t.like(opensslVerdict(facts), { ok: false, opensslCode: 20 });
  }
});
