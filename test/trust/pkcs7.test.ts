// Certificates out of certs-only PKCS#7 as real tools write it (openssl crl2pkcs7: DER; openssl cms
// -stream: BER with indefinite lengths), byte for byte, and refusals for what is not one.
import test from 'ava';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DerError, encodeTlv } from '../../src/trust/der.js';
import { pemCertificates } from '../../src/trust/pem.js';
import { pkcs7Certificates } from '../../src/trust/pkcs7.js';
import { makeTestCa } from '../helpers/pki.js';
import { findExecutable, testNeeding } from '../helpers/requires.js';

const withOpenssl = testNeeding(findExecutable('openssl') ? null : 'the openssl command', { inCi: true });

// 1.2.840.113549.1.7.2 (signedData) and 1.2.840.113549.1.7.1 (data), encoded.
const SIGNED_DATA = Buffer.from('06092a864886f70d010702', 'hex');
const DATA = Buffer.from('06092a864886f70d010701', 'hex');

/** A certs-only ContentInfo built field by field (RFC 5652 5.1), with the given CertificateChoices. */
function certsOnly(choices: Buffer[] | null, contentType = SIGNED_DATA): Buffer {
  const fields = [
    encodeTlv(0x02, Buffer.from([1])),
    encodeTlv(0x31),
    encodeTlv(0x30, DATA),
    ...(choices ? [encodeTlv(0xa0, ...choices)] : []),
    encodeTlv(0x31),
  ];
  return encodeTlv(0x30, contentType, encodeTlv(0xa0, encodeTlv(0x30, ...fields)));
}

async function twoCertificates(): Promise<Buffer[]> {
  const ca = await makeTestCa('PKCS7 Test Root');
  const leaf = await ca.issue(['p7.example']);
  return [...pemCertificates(leaf.pem), ...pemCertificates(ca.pem)];
}

withOpenssl('openssl crl2pkcs7 (DER): every certificate, in order, byte for byte', async (t) => {
  const certs = await twoCertificates();
  const dir = mkdtempSync(join(tmpdir(), 'tlswitness-p7-'));
  try {
    const pem = certs
      .map((der) => `-----BEGIN CERTIFICATE-----\n${der.toString('base64')}\n-----END CERTIFICATE-----\n`)
      .join('');
    writeFileSync(join(dir, 'chain.pem'), pem);
    execFileSync('openssl', [
      'crl2pkcs7',
      '-nocrl',
      '-certfile',
      join(dir, 'chain.pem'),
      '-outform',
      'DER',
      '-out',
      join(dir, 'chain.p7c'),
    ]);
    t.deepEqual(pkcs7Certificates(readFileSync(join(dir, 'chain.p7c'))), certs);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

withOpenssl('openssl cms -stream (BER, indefinite lengths): the signer certificate', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'tlswitness-p7-'));
  try {
    const [key, cert, message, out] = ['k.pem', 'c.pem', 'm.txt', 's.der'].map((name) => join(dir, name)) as [
      string,
      string,
      string,
      string,
    ];
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:P-256',
        '-nodes',
        '-keyout',
        key,
        '-out',
        cert,
        '-subj',
        '/CN=streamed',
        '-days',
        '2',
      ],
      { stdio: 'ignore' },
    );
    writeFileSync(message, 'hello\n');
    execFileSync('openssl', [
      'cms',
      '-sign',
      '-in',
      message,
      '-signer',
      cert,
      '-inkey',
      key,
      '-outform',
      'DER',
      '-stream',
      '-out',
      out,
    ]);
    const body = readFileSync(out);
    t.is(body[1], 0x80, 'the fixture really is indefinite-length BER');
    t.deepEqual(pkcs7Certificates(body), pemCertificates(readFileSync(cert, 'latin1')));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('tagged CertificateChoices (attribute and other certificates) are left out; no certificates field is none', async (t) => {
  const [leaf] = await twoCertificates();
  const attributeCertificate = encodeTlv(0xa2, encodeTlv(0x30));
  t.deepEqual(pkcs7Certificates(certsOnly([attributeCertificate, leaf!])), [leaf!]);
  t.deepEqual(pkcs7Certificates(certsOnly(null)), []);
});

test('what is not a certs-only SignedData is refused with a DER error', async (t) => {
  const [leaf] = await twoCertificates();
  t.throws(() => pkcs7Certificates(certsOnly([leaf!], DATA)), {
    instanceOf: DerError,
    message: /does not hold SignedData/,
  });
  t.throws(() => pkcs7Certificates(Buffer.concat([certsOnly([leaf!]), Buffer.from([0])])), { instanceOf: DerError });
  t.throws(() => pkcs7Certificates(Buffer.from('<html>404</html>')), { instanceOf: DerError });
  t.throws(() => pkcs7Certificates(leaf!), { instanceOf: DerError }, 'a bare certificate is not a ContentInfo');
});

test('hostile BER: unterminated or deeply nested indefinite lengths are DER errors, not a blown stack', (t) => {
  t.throws(() => pkcs7Certificates(Buffer.from([0x30, 0x80, 0x06, 0x01, 0x00])), {
    instanceOf: DerError,
    message: /without end-of-contents/,
  });
  const nested = Buffer.concat([Buffer.from('3080'.repeat(30_000), 'hex'), Buffer.alloc(60_000)]);
  t.throws(() => pkcs7Certificates(nested), { instanceOf: DerError, message: /nested too deep/ });
  t.throws(() => pkcs7Certificates(Buffer.from([0x04, 0x80, 0x00, 0x00])), {
    instanceOf: DerError,
    message: /primitive/,
  });
});
