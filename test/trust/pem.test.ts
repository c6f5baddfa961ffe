// Splitting PEM bundles: blocks found in order, other blocks skipped, and linear time on hostile text.
import test from 'ava';
import { derToPem, pemCertificates } from '../../src/trust/pem.js';

const A = Buffer.from('3003020101', 'hex');
const B = Buffer.from('3003020102', 'hex');

test('certificate blocks in order, TRUSTED ones too; keys, text and unfinished blocks are skipped', (t) => {
  const key = '-----BEGIN PRIVATE KEY-----\nMAA=\n-----END PRIVATE KEY-----\n';
  const trusted = derToPem(B).replace(/CERTIFICATE/g, 'TRUSTED CERTIFICATE');
  const found = pemCertificates(
    `subject=CN=a\n${derToPem(A)}${key}junk\r\n${trusted}-----BEGIN CERTIFICATE-----\nMAMCAQM=\n`,
  );
  t.deepEqual(
    found.map((d) => d.toString('hex')),
    [A.toString('hex'), B.toString('hex')],
  );
  // A block cut short, then a whole one: the whole one.
  t.deepEqual(pemCertificates(`-----BEGIN CERTIFICATE-----\nMIIB\n${derToPem(B)}`), [B]);
  t.deepEqual(pemCertificates(''), []);
});

test('a file of BEGIN lines and no END is read in linear time (a lazy BEGIN…END pattern took 18 s on 1 MB)', (t) => {
  const hostile = '-----BEGIN CERTIFICATE-----\n'.repeat(400_000);
  const started = process.hrtime.bigint();
  t.deepEqual(pemCertificates(hostile), []);
  t.deepEqual(pemCertificates(`${hostile}${derToPem(A)}`), [A]);
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  // 11 MB twice: tens of milliseconds when linear; the old pattern would take hours.
  t.true(ms < 5000, `${ms.toFixed(0)} ms`);
});

test('bodies with CRLF line ends, indentation or stray characters decode to the same DER', (t) => {
  const der = Buffer.from(`30${'82'}0100${'ab'.repeat(256)}`, 'hex');
  const pem = derToPem(der);
  t.deepEqual(pemCertificates(pem), [der]);
  t.deepEqual(pemCertificates(pem.replace(/\n/g, '\r\n')), [der]);
  t.deepEqual(pemCertificates(pem.replace(/\n(?!-)/g, '\n    ')), [der]);
  // Characters Node's decoder would read as base64url are not part of a PEM body: dropped, as before.
  t.deepEqual(pemCertificates(pem.replace(/\n(?!-)/g, '\n-_')), [der]);
});
