// parseDotenv(): dotenv syntax read as text, never run.
import test from 'ava';
import { parseDotenv } from '../../src/doctor/dotenv.js';

test('KEY=VALUE, export prefixes, quotes, comments and line numbers', (t) => {
  const text = [
    '# a comment',
    '',
    'PLAIN=/etc/ssl/corp.pem',
    'export SLY_EXTRA_CA_CERTS="/home/me/corp ca.pem"',
    "SINGLE='/tmp/it''s'",
    'TRAILING=/tmp/a.pem   # the corporate CA',
    'HASH=/tmp/a#b.pem',
    '  SPACED = value  ',
    'EMPTY=',
    'not an assignment',
  ].join('\n');
  t.deepEqual(parseDotenv(text), [
    { key: 'PLAIN', value: '/etc/ssl/corp.pem', line: 3 },
    { key: 'SLY_EXTRA_CA_CERTS', value: '/home/me/corp ca.pem', line: 4 },
    { key: 'SINGLE', value: '/tmp/it', line: 5 },
    { key: 'TRAILING', value: '/tmp/a.pem', line: 6 },
    { key: 'HASH', value: '/tmp/a#b.pem', line: 7 },
    { key: 'SPACED', value: 'value', line: 8 },
    { key: 'EMPTY', value: '', line: 9 },
  ]);
});

test('double quotes: escapes and values over several lines; single quotes literal', (t) => {
  const text = 'A="x\\ny \\"q\\""\nB=\'$HOME\\n\'\nC="first\nsecond"\nD=after\r\nE="never closed';
  t.deepEqual(parseDotenv(text), [
    { key: 'A', value: 'x\ny \\"q\\"', line: 1 },
    { key: 'B', value: '$HOME\\n', line: 2 },
    { key: 'C', value: 'first\nsecond', line: 3 },
    { key: 'D', value: 'after', line: 5 },
    { key: 'E', value: '"never closed', line: 6 },
  ]);
});

test('commands and variables are kept as text, never run or expanded', (t) => {
  const entries = parseDotenv('X=$(touch /tmp/tlswitness-pwned)\nY=${HOME}/ca.pem\nZ=`id`');
  t.deepEqual(
    entries.map((e) => e.value),
    ['$(touch /tmp/tlswitness-pwned)', '${HOME}/ca.pem', 'id'],
  );
});
