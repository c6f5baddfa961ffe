// Who ran `sudo tlswitness ...`: root's process acts for SUDO_USER, so the CA to install is that
// user's (their certs dir, their Firefox profiles), not root's. Node has no getpwnam, so the
// account comes from /etc/passwd read as text; pure over env, uid and that text.

export interface Account {
  name: string;
  uid: number;
  gid: number;
  home: string;
}

/** passwd(5): name:password:UID:GID:GECOS:directory:shell, one account a line. */
export function parsePasswd(text: string): Account[] {
  const accounts: Account[] = [];
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const fields = line.split(':');
    if (fields.length < 7) continue;
    const [name, , uid, gid, , home] = fields;
    if (!name || !/^\d+$/.test(uid!) || !/^\d+$/.test(gid!) || !home?.startsWith('/')) continue;
    accounts.push({ name, uid: Number(uid), gid: Number(gid), home });
  }
  return accounts;
}

export type InvokingUser =
  { kind: 'self' } | { kind: 'sudo'; account: Account } | { kind: 'unknown-sudo-user'; name: string };

/**
 * Root with SUDO_USER (sudo sets it to the invoking login, sudo(8) "ENVIRONMENT") acts for that
 * user. SUDO_UID must agree when present: a SUDO_USER left over in an environment copied from
 * another session does not send root to the wrong home.
 */
export function invokingUser(env: NodeJS.ProcessEnv, uid: number | null, passwd: string | null): InvokingUser {
  const name = env.SUDO_USER;
  if (uid !== 0 || !name || name === 'root') return { kind: 'self' };
  const account = passwd === null ? undefined : parsePasswd(passwd).find((a) => a.name === name);
  if (!account || (env.SUDO_UID !== undefined && env.SUDO_UID !== String(account.uid)))
    return { kind: 'unknown-sudo-user', name };
  if (account.uid === 0) return { kind: 'self' };
  return { kind: 'sudo', account };
}
