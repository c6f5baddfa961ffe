// PATH lookup with an injected platform, environment and file set: no look at this machine.
import test from 'ava';
import { findCommand } from '../src/find-command.js';

const files =
  (...paths: string[]) =>
  (path: string) =>
    paths.includes(path);
// NTFS ignores case: certutil.EXE is certutil.exe.
const windowsFiles =
  (...paths: string[]) =>
  (path: string) =>
    paths.some((p) => p.toLowerCase() === path.toLowerCase());

test('POSIX: PATH split on :, first match wins, empty entries are not the current directory', (t) => {
  const env = { PATH: '/usr/local/bin::/usr/bin:/usr/sbin' };
  t.is(
    findCommand('update-ca-certificates', {
      platform: 'linux',
      env,
      isFile: files('/usr/sbin/update-ca-certificates', 'update-ca-certificates'),
    }),
    '/usr/sbin/update-ca-certificates',
  );
  t.is(findCommand('keytool', { platform: 'linux', env, isFile: files('keytool') }), null);
  t.is(findCommand('keytool', { platform: 'darwin', env: {}, isFile: files('/usr/bin/keytool') }), null);
  // A relative entry is below wherever the user stands: not searched either.
  t.is(
    findCommand('keytool', { platform: 'linux', env: { PATH: 'bin:/usr/bin' }, isFile: files('bin/keytool') }),
    null,
  );
});

test('Windows: PATH split on ;, Path in any case, quoted entries, PATHEXT tried in order', (t) => {
  const env = {
    Path: 'C:\\Windows\\system32;"C:\\Program Files\\Java\\jdk-21\\bin";C:\\tools',
    PATHEXT: '.COM;.EXE;.BAT',
  };
  const isFile = windowsFiles(
    'C:\\Windows\\system32\\certutil.exe',
    'C:\\Program Files\\Java\\jdk-21\\bin\\keytool.exe',
    'C:\\tools\\keytool.bat',
  );
  t.is(findCommand('certutil', { platform: 'win32', env, isFile }), 'C:\\Windows\\system32\\certutil.EXE');
  t.is(findCommand('keytool', { platform: 'win32', env, isFile }), 'C:\\Program Files\\Java\\jdk-21\\bin\\keytool.EXE');
  t.is(findCommand('certutil.exe', { platform: 'win32', env, isFile }), 'C:\\Windows\\system32\\certutil.exe');
  // A name without an extension is never a Windows program: PATHEXT must be tried.
  t.is(
    findCommand('certutil', { platform: 'win32', env, isFile: windowsFiles('C:\\Windows\\system32\\certutil') }),
    null,
  );
  // PATHEXT unset: cmd.exe's default list.
  t.is(findCommand('keytool', { platform: 'win32', env: { PATH: 'C:\\tools' }, isFile }), 'C:\\tools\\keytool.BAT');
  // The POSIX reading of a Windows PATH (split on :) would find nothing here.
  t.is(
    findCommand('certutil', { platform: 'win32', env: { PATH: 'C:\\Windows\\system32' }, isFile }),
    'C:\\Windows\\system32\\certutil.EXE',
  );
});
