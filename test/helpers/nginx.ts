// A real nginx (Debian's package) for tests: its own prefix, config, pid and logs in a temp dir, in the
// foreground on 127.0.0.1, killed by the test. Used where nginx's own behaviour is the point (mTLS).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PortTaken, withFreePort } from './fixtures.js';

export interface NginxServer {
  port: number;
  /** The access log so far (one line per request nginx answered). */
  accessLog(): string;
  close(): Promise<void>;
}

export interface NginxTls {
  /** PEM served: leaf first, then intermediates. */
  chainPem: string;
  keyPem: string;
  /** PEM of the CAs whose client certificates are accepted (their names go into the CertificateRequest); none: no mTLS. */
  clientCaPem?: string;
  verifyClient?: 'on' | 'optional';
  serverName: string;
  /** Offer h2 in ALPN too (`listen ... ssl http2`, nginx 1.22's spelling). */
  http2?: boolean;
}

/** Debian installs it in /usr/sbin, which a non-root PATH may lack. */
const NGINX =
  ['nginx', '/usr/sbin/nginx'].find((path) => spawnSync(path, ['-v'], { stdio: 'ignore' }).status === 0) ?? null;

/** Whether this machine has nginx (CI installs Debian's `nginx`). */
export function hasNginx(): boolean {
  return NGINX !== null;
}

export async function startNginx(tls: NginxTls): Promise<NginxServer> {
  const dir = mkdtempSync(join(tmpdir(), 'tlswitness-nginx-'));
  mkdirSync(join(dir, 'logs'));
  writeFileSync(join(dir, 'chain.pem'), tls.chainPem);
  writeFileSync(join(dir, 'key.pem'), tls.keyPem, { mode: 0o600 });
  if (tls.clientCaPem) writeFileSync(join(dir, 'client-ca.pem'), tls.clientCaPem);
  const mtls = tls.clientCaPem
    ? `    ssl_client_certificate ${join(dir, 'client-ca.pem')};\n    ssl_verify_client ${tls.verifyClient ?? 'on'};\n`
    : '';
  // A released port, which a test running beside this one may bind before nginx does: then another.
  return withFreePort(async (port) => {
    rmSync(join(dir, 'logs', 'error.log'), { force: true });
    const temp = ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']
      .map((name) => `  ${name}_temp_path ${join(dir, name)};`)
      .join('\n');
    writeFileSync(
      join(dir, 'nginx.conf'),
      `daemon off;
master_process off;
pid ${join(dir, 'nginx.pid')};
error_log ${join(dir, 'logs', 'error.log')} warn;
events { worker_connections 64; }
http {
  access_log ${join(dir, 'logs', 'access.log')};
${temp}
  server {
    listen 127.0.0.1:${port} ssl${tls.http2 ? ' http2' : ''};
    server_name ${tls.serverName};
    ssl_certificate ${join(dir, 'chain.pem')};
    ssl_certificate_key ${join(dir, 'key.pem')};
${mtls}    ssl_protocols TLSv1.2 TLSv1.3;
    location / { default_type text/plain; return 200 "hello\\n"; }
    location /status { default_type text/plain; return 200 "$server_protocol\\n"; }
  }
}
`,
    );
    // -e: the error log before the config is read (the default, /var/log/nginx, may not be writable).
    const child = spawn(
      NGINX ?? 'nginx',
      ['-p', dir, '-c', join(dir, 'nginx.conf'), '-e', join(dir, 'logs', 'error.log')],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    try {
      await listening(
        child,
        port,
        join(dir, 'nginx.pid'),
        () => `${stderr}${safeRead(join(dir, 'logs', 'error.log'))}`,
      );
    } catch (error) {
      child.kill('SIGKILL');
      if (!(error instanceof PortTaken)) rmSync(dir, { recursive: true, force: true });
      throw error;
    }
    return {
      port,
      accessLog: () => safeRead(join(dir, 'logs', 'access.log')),
      close: async () => {
        if (child.exitCode === null && child.signalCode === null) {
          const exited = new Promise((resolve) => child.once('exit', resolve));
          child.kill('SIGTERM');
          await exited;
        }
        rmSync(dir, { recursive: true, force: true });
      },
    };
  });
}

function safeRead(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

/**
 * Resolves once nginx accepts connections on the port; rejects when it exits first (PortTaken when the port
 * was someone else's) or takes over 10 s. Only its pid file, written once it has bound the port, says the
 * connection reached nginx: before that it may be another program's, nginx retrying bind() meanwhile.
 */
async function listening(child: ChildProcess, port: number, pidFile: string, log: () => string): Promise<void> {
  const exited = new Promise<never>((_, reject) =>
    child.once('exit', (code) =>
      reject(
        /bind\(\) to \S+ failed \(98: Address already in use\)/.test(log())
          ? new PortTaken(`nginx: 127.0.0.1:${port} is already in use`)
          : new Error(`nginx exited ${code}: ${log()}`),
      ),
    ),
  );
  exited.catch(() => undefined);
  for (let attempt = 0; attempt < 100; attempt++) {
    const up = await Promise.race([
      new Promise<boolean>((resolve) => {
        if (safeRead(pidFile).trim() !== String(child.pid)) return resolve(false);
        const socket = connect(port, '127.0.0.1');
        socket.once('connect', () => {
          socket.destroy();
          resolve(true);
        });
        socket.once('error', () => resolve(false));
      }),
      exited,
    ]);
    if (up) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  child.kill('SIGKILL');
  throw new Error(`nginx did not listen on 127.0.0.1:${port} within 10 s: ${log()}`);
}
