// curl as an app pointed at the proxy runs it: through the HTTP proxy on loopback, trusting one CA file.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface CurlOptions {
  /** More of curl's options (-w, --http2, ...), placed before the URL. */
  args?: string[];
  /** curl's --max-time, in seconds. */
  maxTime?: number;
}

/**
 * `curl -sS` through the proxy on 127.0.0.1:`proxyPort`, trusting `cacert`, with only PATH in its environment.
 * Rejects as execFile does when curl fails: the error carries curl's exit code and stderr.
 */
export function curlViaProxy(proxyPort: number, cacert: string, url: string, options: CurlOptions = {}) {
  const { args = [], maxTime = 10 } = options;
  return run(
    'curl',
    [
      '-sS',
      ...args,
      '--max-time',
      String(maxTime),
      '--proxy',
      `http://127.0.0.1:${proxyPort}`,
      '--cacert',
      cacert,
      url,
    ],
    { env: { PATH: process.env.PATH } },
  );
}
