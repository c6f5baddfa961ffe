// The environment a child process (python3, curl, openssl, keytool, certutil, security) is given: the
// proxy's own credentials stay in this process, so a tool it runs cannot read, log or pass them on; pure.

/** Where the proxy's `user:password` may come from instead of `--auth` (visible in `ps`). */
export const PROXY_AUTH_ENV = 'TLSWITNESS_PROXY_AUTH';

/** `env` without the proxy credentials (names compared without case, as Windows does). */
export function childEnv(env: Record<string, string | undefined> = process.env): NodeJS.ProcessEnv {
  const names = Object.keys(env);
  if (!names.some((name) => name.toUpperCase() === PROXY_AUTH_ENV)) return env;
  return Object.fromEntries(
    names.filter((name) => name.toUpperCase() !== PROXY_AUTH_ENV).map((name) => [name, env[name]]),
  );
}
