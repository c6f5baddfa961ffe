// What the .env files in the current directory set: which variables (never their values, which are
// often secrets), and each CA variable checked as the environment's are, by file and line; pure.
import { join } from 'node:path';
import { caVariable, caVariablePaths } from './ca-variable-catalogue.js';
import { checkPath } from './ca-variables.js';
import { finding, type Finding } from './findings.js';
import type { DoctorSnapshot, EnvFileFacts } from './snapshot.js';

/** The paths a .env's CA variables name, for the I/O layer to read. */
export function envFilePaths(files: EnvFileFacts[], platform: NodeJS.Platform): string[] {
  return files.flatMap((f) =>
    ('entries' in f ? f.entries : []).flatMap((e) =>
      caVariable(e.key) && e.value.trim() ? caVariablePaths(e.key, e.value, platform) : [],
    ),
  );
}

export function checkEnvFiles(snapshot: DoctorSnapshot, now: Date): Finding[] {
  const out: Finding[] = [];
  const corporate = snapshot.corporate.map((c) => c.cert.subject);
  for (const file of snapshot.envFiles) {
    if ('error' in file) {
      out.push(finding('env-file', 'info', file.file, `could not be read (${file.error}), skipped`));
      continue;
    }
    const keys = [...new Set(file.entries.map((e) => e.key))];
    const ca = file.entries.filter((e) => caVariable(e.key));
    // Only apps that load the file (dotenv, docker compose, an IDE's run configuration) see these; the shell does not.
    out.push(
      finding(
        'env-file',
        'info',
        file.file,
        keys.length
          ? `sets ${keys.join(', ')} (values not shown) for the apps that load it; ${ca.length ? `${ca.length} CA variable${ca.length === 1 ? '' : 's'}, checked below` : 'no CA variable'}`
          : 'sets nothing',
      ),
    );
    for (const entry of ca) {
      const v = caVariable(entry.key)!;
      const subject = `${file.file}:${entry.line} ${entry.key}=${entry.value}`;
      if (entry.value.trim() === '') {
        out.push(
          finding(
            'env-file',
            'warning',
            subject,
            `set but empty: apps that load ${file.file} see an empty ${entry.key}, which clients read differently (some as unset, some as "trust nothing")`,
            `remove line ${entry.line} from ${file.file}, or point it at a bundle`,
          ),
        );
        continue;
      }
      if (/\$[({A-Za-z_]/.test(entry.value) || entry.value.startsWith('~')) {
        // dotenv itself expands nothing; dotenv-expand and docker compose expand ${VAR} but never ~ or $(...).
        out.push(
          finding(
            'env-file',
            'warning',
            subject,
            'holds $ or ~, which plain dotenv does not expand: the app may look for a file with exactly this name',
            `write the absolute path on line ${entry.line} of ${file.file}`,
          ),
        );
      }
      const origin = {
        check: 'env-file' as const,
        subject,
        absolute: (name: string, value: string) =>
          `write the absolute path on line ${entry.line} of ${file.file}: ${name}='${join(file.dir, value)}'`,
        remove: () => `delete line ${entry.line} of ${file.file}`,
      };
      for (const path of caVariablePaths(v.name, entry.value, snapshot.platform)) {
        out.push(...checkPath(v, path, snapshot.paths[path], corporate, now, origin));
      }
    }
  }
  return out;
}
