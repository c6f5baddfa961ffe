// Runs a test body against real servers it starts, then closes them whether the body passed or threw
// (as got's withHttpsServer), so a test file does not copy start/try/finally blocks.

/** Anything a test starts and must stop: an origin, a proxy, nginx, a child process (close's result is awaited). */
export interface Closable {
  close(): unknown;
}

type Starts<S extends Closable[]> = { [K in keyof S]: () => S[K] | Promise<S[K]> };

/**
 * Starts the servers one after another (a later one may fail to start: the ones already up are still
 * closed), runs `body` with them, then closes them last first, as the copied blocks did.
 */
export async function withServers<const S extends Closable[], T>(
  starts: Starts<S>,
  body: (...servers: NoInfer<S>) => Promise<T>,
): Promise<T> {
  const started: Closable[] = [];
  try {
    for (const start of starts as readonly (() => Closable | Promise<Closable>)[]) started.push(await start());
    return await body(...(started as unknown as S));
  } finally {
    for (const server of started.reverse()) await server.close();
  }
}

/** withServers for one server. */
export function withServer<S extends Closable, T>(
  start: () => S | Promise<S>,
  body: (server: S) => Promise<T>,
): Promise<T> {
  return withServers<[S], T>([start], body);
}
