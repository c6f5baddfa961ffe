// pip's `cert` setting in its config files (pip.conf / pip.ini): where pip looks for them, the
// settings read as INI (never run), and each checked like a CA variable; pure.
import { posix, win32 } from 'node:path';
import type { CaVariable } from './ca-variable-catalogue.js';
import { checkPath, type Origin } from './ca-variables.js';
import type { Finding } from './findings.js';
import { expandHome } from './home.js';
import type { DoctorSnapshot, Env, PipCertSetting } from './snapshot.js';

/** `cert` names the bundle pip verifies with instead of its own (certifi, or the OS store through truststore). */
export const PIP_CERT: CaVariable = {
  name: 'cert',
  readBy: 'pip',
  accepts: 'either',
  replaces: 'all',
  unusable: {
    severity: 'broken',
    effect:
      'pip fails every download from an HTTPS index ("Could not find a suitable TLS CA certificate bundle, invalid path")',
  },
};

/**
 * The files pip reads, lowest precedence first, as pip's configuration.py lists them: global (site
 * config dirs), user (the legacy ~/.pip one, then the config dir's), site (the interpreter's prefix,
 * a virtualenv's own), then PIP_CONFIG_FILE, which wins; PIP_CONFIG_FILE=os.devnull loads no other.
 */
export function pipConfigFiles(env: Env, platform: NodeJS.Platform, prefix: string | null): string[] {
  const home = env.HOME ?? env.USERPROFILE;
  const override = env.PIP_CONFIG_FILE ? [expandHome(env.PIP_CONFIG_FILE, home)] : [];
  if (env.PIP_CONFIG_FILE === (platform === 'win32' ? 'nul' : '/dev/null')) return [];
  const files: string[] = [];
  if (platform === 'win32') {
    const path = win32;
    files.push(path.join(env.ProgramData ?? 'C:\\ProgramData', 'pip', 'pip.ini'));
    if (home) files.push(path.join(home, 'pip', 'pip.ini'));
    if (env.APPDATA) files.push(path.join(env.APPDATA, 'pip', 'pip.ini'));
    if (prefix) files.push(path.join(prefix, 'pip.ini'));
    return [...files, ...override];
  }
  const path = posix;
  if (platform === 'darwin') files.push('/Library/Application Support/pip/pip.conf');
  else {
    for (const dir of (env.XDG_CONFIG_DIRS || '/etc/xdg').split(':').filter(Boolean))
      files.push(path.join(dir, 'pip', 'pip.conf'));
    files.push('/etc/pip.conf');
  }
  if (home) {
    files.push(path.join(home, '.pip', 'pip.conf'));
    if (platform === 'darwin') files.push(path.join(home, 'Library', 'Application Support', 'pip', 'pip.conf'));
    files.push(path.join(env.XDG_CONFIG_HOME || path.join(home, '.config'), 'pip', 'pip.conf'));
  }
  if (prefix) files.push(path.join(prefix, 'pip.conf'));
  return [...files, ...override];
}

/**
 * The `cert` lines of one config file, read as Python's configparser reads it: `[section]`, then
 * `key = value` or `key: value`, keys case-insensitive, whole-line `#` / `;` comments, indented lines
 * continuing a value.
 */
export function parsePipCerts(file: string, text: string, home: string | undefined): PipCertSetting[] {
  const out: PipCertSetting[] = [];
  let section = '';
  text.split(/\r?\n/).forEach((raw, i) => {
    if (!raw.trim() || /^\s*[#;]/.test(raw) || /^\s/.test(raw)) return;
    const header = /^\[([^\]]+)\]/.exec(raw);
    if (header) {
      section = header[1]!.trim();
      return;
    }
    const entry = /^([^=:]+?)\s*[=:]\s*(.*)$/.exec(raw);
    if (!entry || entry[1]!.toLowerCase() !== 'cert' || !section) return;
    const value = entry[2]!.trim();
    if (value) out.push({ file, section, value, path: expandHome(value, home), line: i + 1 });
  });
  return out;
}

function origin(setting: PipCertSetting): Origin {
  return {
    check: 'ca-variable',
    subject: `pip config ${setting.section}.cert=${setting.value} (${setting.file})`,
    absolute: () => `use an absolute path on line ${setting.line} of ${setting.file}`,
    remove: () => `remove line ${setting.line} (cert) from ${setting.file}`,
  };
}

export function checkPipCerts(snapshot: DoctorSnapshot, now: Date): Finding[] {
  const corporate = snapshot.corporate.map((c) => c.cert.subject);
  return (snapshot.pipCerts ?? []).flatMap((setting) =>
    checkPath(PIP_CERT, setting.path, snapshot.paths[setting.path], corporate, now, origin(setting)),
  );
}
