// `sudo tlswitness ca install` acts for SUDO_USER: their account from passwd text, their certs dir.
import test from 'ava';
import { findCertsDir, writableBy } from '../../src/ca/certs-dir.js';
import { invokingUser, parsePasswd } from '../../src/ca/invoking-user.js';

const PASSWD = [
  'root:x:0:0:root:/root:/bin/bash',
  '# a comment',
  'daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin',
  'alice:x:1000:1000:Alice Example,,,:/home/alice:/bin/bash',
  'broken:x:notanumber:1::/home/broken:/bin/sh',
  'mac user:*:501:20:Mac User:/Users/mac user:/bin/zsh',
  '',
].join('\n');

test('passwd text: accounts with numeric ids and an absolute home; malformed lines skipped', (t) => {
  const accounts = parsePasswd(PASSWD);
  t.deepEqual(
    accounts.map((a) => a.name),
    ['root', 'daemon', 'alice', 'mac user'],
  );
  t.deepEqual(
    accounts.find((a) => a.name === 'alice'),
    { name: 'alice', uid: 1000, gid: 1000, home: '/home/alice' },
  );
});

test('root with SUDO_USER acts for that user; anyone else, or root without sudo, for themselves', (t) => {
  t.deepEqual(invokingUser({ SUDO_USER: 'alice', SUDO_UID: '1000' }, 0, PASSWD), {
    kind: 'sudo',
    account: { name: 'alice', uid: 1000, gid: 1000, home: '/home/alice' },
  });
  t.deepEqual(invokingUser({ SUDO_USER: 'alice' }, 0, PASSWD), {
    kind: 'sudo',
    account: { name: 'alice', uid: 1000, gid: 1000, home: '/home/alice' },
  });
  t.deepEqual(
    invokingUser({ SUDO_USER: 'alice', SUDO_UID: '1000' }, 1000, PASSWD),
    { kind: 'self' },
    'not root: sudo -u alice, or no sudo',
  );
  t.deepEqual(invokingUser({}, 0, PASSWD), { kind: 'self' });
  t.deepEqual(invokingUser({ SUDO_USER: 'root', SUDO_UID: '0' }, 0, PASSWD), { kind: 'self' });
  t.deepEqual(
    invokingUser({ SUDO_USER: 'alice', SUDO_UID: '1001' }, 0, PASSWD),
    { kind: 'unknown-sudo-user', name: 'alice' },
    'SUDO_UID disagrees',
  );
  t.deepEqual(invokingUser({ SUDO_USER: 'mallory' }, 0, PASSWD), { kind: 'unknown-sudo-user', name: 'mallory' });
  t.deepEqual(
    invokingUser({ SUDO_USER: 'alice' }, 0, null),
    { kind: 'unknown-sudo-user', name: 'alice' },
    'no passwd file (Windows, a container)',
  );
});

test("the invoking user's certs dir, not root's: their home, and the checkout only when they may write it", (t) => {
  // An id no checkout is owned by, so the checkout's certs/ never counts as alice's.
  const alice = { home: '/home/alice', uid: 54321, gid: 54321 };
  t.is(findCertsDir(undefined, {}, 'linux', alice), '/home/alice/.config/tlswitness');
  t.is(
    findCertsDir(undefined, {}, 'darwin', { ...alice, home: '/Users/mac user' }),
    '/Users/mac user/Library/Application Support/tlswitness',
  );
  t.is(findCertsDir('/explicit', {}, 'linux', alice), '/explicit');
  t.is(findCertsDir(undefined, { TLSWITNESS_CERTS_DIR: '/from/env' }, 'linux', alice), '/from/env');
  t.true(writableBy({ uid: 54321, gid: 0, mode: 0o755 }, alice));
  t.false(writableBy({ uid: 0, gid: 0, mode: 0o755 }, alice), "root's checkout: root may write it, alice may not");
  t.true(writableBy({ uid: 0, gid: 54321, mode: 0o775 }, alice));
  t.false(writableBy({ uid: 54321, gid: 54321, mode: 0o555 }, alice));
  t.true(writableBy({ uid: 0, gid: 0, mode: 0o777 }, alice));
});
