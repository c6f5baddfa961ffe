// The machine's own clients against the target, as an app would run them (their default trust
// stores): curl, python3's ssl module, and the HTTP libraries apps use (requests, httpx), each
// with the CA bundle it reads. Their exit code and error text go into the evidence.
// Credentials go to the children on stdin or in the environment, never on a command line.
import type { ClientCheck } from '../diagnose/comparison.js';
import type { ProxySpec } from './connector.js';
import type { ResolveMap } from './target.js';
import { formatHostPort } from '../host-port.js';
import { firstLine, runChild } from './child-run.js';

export interface ClientCheckTarget {
  host: string;
  port: number;
  /** The name to ask for and check (SNI); null for an IP address. */
  servername: string | null;
  /** The address the tool connected to, so the clients reach the same server. */
  address: string | null;
  proxy: ProxySpec | null;
  resolve: ResolveMap;
  timeoutMs: number;
}

/** curl's own word on the certificate: 60 is "SSL certificate problem", 51/83/90/91 other refusals. */
const CURL_REFUSED = new Set([51, 60, 83, 90, 91]);
/** Failures before the certificate was judged: DNS, connect, proxy, timeout, handshake, local files. */
const CURL_BEFORE_CERTIFICATE = new Set([2, 5, 6, 7, 28, 35, 58, 77, 97]);

function quote(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

function bracketed(address: string): string {
  return address.includes(':') ? `[${address}]` : address;
}

export async function curlCheck(target: ClientCheckTarget): Promise<ClientCheck> {
  const name = target.servername ?? target.host;
  const url = `https://${formatHostPort({ host: name, port: target.port })}/`;
  // A config on stdin (-K -) keeps a proxy's credentials off the process list; -q skips ~/.curlrc.
  const config = [
    `url = ${quote(url)}`,
    'silent',
    'show-error',
    'output = "/dev/null"',
    `max-time = ${Math.ceil(target.timeoutMs / 1000)}`,
  ];
  if (target.proxy) {
    config.push(`proxy = ${quote(`http://${formatHostPort(target.proxy)}`)}`);
    if (target.proxy.authorization)
      config.push(`proxy-header = ${quote(`Proxy-Authorization: ${target.proxy.authorization}`)}`);
  } else {
    config.push('noproxy = "*"');
    if (target.address) config.push(`resolve = ${quote(`${name}:${target.port}:${bracketed(target.address)}`)}`);
  }
  if (target.proxy) {
    const pinned = target.resolve.get(`${target.proxy.host.toLowerCase()}:${target.proxy.port}`)?.[0];
    if (pinned) config.push(`resolve = ${quote(`${target.proxy.host}:${target.proxy.port}:${bracketed(pinned)}`)}`);
  }
  const shown = `curl -sS -o /dev/null${target.proxy ? ` --proxy ${target.proxy.display}` : ` --noproxy '*'`}${!target.proxy && target.address ? ` --resolve ${name}:${target.port}:${bracketed(target.address)}` : ''} ${url}`;
  const result = await runChild(
    'curl',
    ['-q', '-K', '-'],
    `${config.join('\n')}\n`,
    process.env,
    target.timeoutMs + 2000,
  );
  if (!result.spawned)
    return { client: 'curl', available: false, command: shown, exitCode: null, accepted: null, error: null };
  const code = result.exitCode;
  const accepted =
    code === null ? null : CURL_REFUSED.has(code) ? false : CURL_BEFORE_CERTIFICATE.has(code) ? null : true;
  return {
    client: 'curl',
    available: true,
    command: shown,
    exitCode: code,
    accepted,
    error: code === 0 ? null : firstLine(result.stderr),
  };
}

// Python's default context: the trust store `python3 -c "import ssl; ssl.create_default_context()"`
// uses (OpenSSL's default paths, SSL_CERT_FILE), with hostname checking. Exit 1: certificate refused.
const PYTHON_CHECK = `
import os, socket, ssl, sys
host, port, sni, addr, phost, pport, timeout = sys.argv[1:8]
port, timeout = int(port), float(timeout)
try:
    if phost:
        s = socket.create_connection((phost, int(pport)), timeout=timeout)
        auth = os.environ.get("TLSWITNESS_PROXY_AUTHORIZATION")
        hp = ("[%s]" % host if ":" in host else host) + ":" + str(port)
        head = "CONNECT %s HTTP/1.1\\r\\nHost: %s\\r\\n" % (hp, hp)
        if auth: head += "Proxy-Authorization: %s\\r\\n" % auth
        head += "\\r\\n"
        s.sendall(head.encode())
        reply = b""
        while b"\\r\\n\\r\\n" not in reply:
            chunk = s.recv(4096)
            if not chunk: raise OSError("the proxy closed the connection")
            reply += chunk
        status = reply.split(b"\\r\\n", 1)[0].decode("latin1")
        if status.split()[1:2] != ["200"]: raise OSError("the proxy answered: " + status)
    else:
        s = socket.create_connection((addr or host, port), timeout=timeout)
    ctx = ssl.create_default_context()
    with ctx.wrap_socket(s, server_hostname=sni or host) as t:
        print("ok " + t.version())
except ssl.SSLCertVerificationError as e:
    print("ssl.SSLCertVerificationError: %s" % e); sys.exit(1)
except ssl.SSLError as e:
    print("ssl.SSLError: %s" % e); sys.exit(2)
except OSError as e:
    print("%s: %s" % (type(e).__name__, e)); sys.exit(3)
`;

export async function pythonCheck(
  target: ClientCheckTarget,
  baseEnv: NodeJS.ProcessEnv = process.env,
): Promise<ClientCheck> {
  const proxyAddress = target.proxy
    ? (target.resolve.get(`${target.proxy.host.toLowerCase()}:${target.proxy.port}`)?.[0] ?? target.proxy.host)
    : '';
  const args = [
    '-I',
    '-c',
    PYTHON_CHECK,
    target.host,
    String(target.port),
    target.servername ?? '',
    target.address ?? '',
    proxyAddress,
    target.proxy ? String(target.proxy.port) : '',
    String(target.timeoutMs / 1000),
  ];
  const env = { ...baseEnv, TLSWITNESS_PROXY_AUTHORIZATION: target.proxy?.authorization ?? '' };
  const shown = `python3 -c "ssl.create_default_context().wrap_socket(..., server_hostname='${target.servername ?? target.host}')"`;
  const result = await runChild('python3', args, '', env, target.timeoutMs + 2000);
  if (!result.spawned)
    return { client: 'python3', available: false, command: shown, exitCode: null, accepted: null, error: null };
  const code = result.exitCode;
  return {
    client: 'python3',
    available: true,
    command: shown,
    exitCode: code,
    accepted: code === 0 ? true : code === 1 ? false : null,
    error: code === 0 ? null : (firstLine(result.stdout) ?? firstLine(result.stderr)),
  };
}

// An HTTP library's GET as an app makes it, with the library's own default trust. requests reads
// REQUESTS_CA_BUNDLE, then CURL_CA_BUNDLE, then certifi (requests/sessions.py,
// merge_environment_settings); httpx reads SSL_CERT_FILE / SSL_CERT_DIR, then certifi
// (httpx/_config.py). The first line names that bundle. Names are pinned to the address the tool
// reached through getaddrinfo, which both libraries call. Exits: 0 the handshake completed (whatever
// the HTTP answer), 1 certificate refused, 2 other TLS error, 3 no handshake, 4 library not installed.
const LIBRARY_CHECK = `
import os, socket, ssl, sys
# Not -I: the user's site-packages and PYTHONPATH count, as they do for the app; only the current
# directory is dropped, so a stray requests.py there is not what gets judged.
if sys.path and sys.path[0] in ("", "."): sys.path.pop(0)
lib, url, sni, addr, proxy, phost, paddr, timeout = sys.argv[1:9]
timeout = float(timeout)
try:
    mod = __import__(lib)
except Exception as e:
    print("not installed: %s" % e); sys.exit(4)
env = os.environ
if lib == "requests":
    import requests.certs
    picked = [(n, env.get(n)) for n in ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE") if env.get(n)]
    bundle = "%s (%s)" % (picked[0][1], picked[0][0]) if picked else "%s (requests.certs.where())" % requests.certs.where()
else:
    picked = [(n, env.get(n)) for n in ("SSL_CERT_FILE", "SSL_CERT_DIR") if env.get(n)]
    if picked: bundle = "%s (%s)" % (picked[0][1], picked[0][0])
    else:
        import certifi
        bundle = "%s (certifi.where())" % certifi.where()
print("bundle " + bundle)
pins = {}
if addr: pins[sni] = addr
if paddr: pins[phost] = paddr
real = socket.getaddrinfo
def pinned(host, *a, **k):
    return real(pins.get(host, host), *a, **k)
socket.getaddrinfo = pinned
handshakes = []
wrap = ssl.SSLContext.wrap_socket
def wrapped(self, *a, **k):
    s = wrap(self, *a, **k)
    handshakes.append(1)
    return s
ssl.SSLContext.wrap_socket = wrapped
auth = env.get("TLSWITNESS_PROXY_AUTHORIZATION")
try:
    if lib == "requests":
        import requests, requests.adapters
        class Adapter(requests.adapters.HTTPAdapter):
            def proxy_headers(self, p):
                h = super().proxy_headers(p)
                if auth: h["Proxy-Authorization"] = auth
                return h
        s = requests.Session()
        s.mount("https://", Adapter())
        # None keeps the environment's proxy variables out: the tool chose the route.
        r = s.get(url, timeout=timeout, allow_redirects=False, proxies={"https": proxy or None, "http": proxy or None})
    else:
        import httpx
        p = httpx.Proxy(proxy, headers={"Proxy-Authorization": auth} if auth else None) if proxy else None
        with httpx.Client(proxy=p, timeout=timeout, trust_env=True, mounts=None if p else {"all://": httpx.HTTPTransport()}) as c:
            r = c.get(url)
    print("ok HTTP %s" % r.status_code)
except Exception as e:
    chain = [e]
    while chain[-1].__cause__ or chain[-1].__context__:
        chain.append(chain[-1].__cause__ or chain[-1].__context__)
        if len(chain) > 8: break
    text = "%s: %s" % (type(e).__name__, e)
    if any(isinstance(x, ssl.SSLCertVerificationError) for x in chain) or "CERTIFICATE_VERIFY_FAILED" in text:
        print(text); sys.exit(1)
    if any(isinstance(x, ssl.SSLError) for x in chain) or "SSLError" in text:
        print(text); sys.exit(2)
    if handshakes:
        # The certificate was accepted; the server's answer (not HTTP here, perhaps) does not matter.
        print("ok, then %s" % text); sys.exit(0)
    print(text); sys.exit(3)
`;

export async function libraryCheck(
  lib: 'requests' | 'httpx',
  target: ClientCheckTarget,
  baseEnv: NodeJS.ProcessEnv = process.env,
): Promise<ClientCheck> {
  const name = target.servername ?? target.host;
  const url = `https://${formatHostPort({ host: name, port: target.port })}/`;
  const proxyUrl = target.proxy ? `http://${formatHostPort(target.proxy)}` : '';
  const proxyAddress = target.proxy
    ? (target.resolve.get(`${target.proxy.host.toLowerCase()}:${target.proxy.port}`)?.[0] ?? '')
    : '';
  const args = [
    '-c',
    LIBRARY_CHECK,
    lib,
    url,
    name,
    target.proxy ? '' : (target.address ?? ''),
    proxyUrl,
    target.proxy?.host ?? '',
    proxyAddress,
    String(target.timeoutMs / 1000),
  ];
  const env = { ...baseEnv, TLSWITNESS_PROXY_AUTHORIZATION: target.proxy?.authorization ?? '' };
  const shown = `python3 -c "import ${lib}; ${lib}.get('${url}')"`;
  const result = await runChild('python3', args, '', env, target.timeoutMs + 2000);
  const code = result.exitCode;
  if (!result.spawned || code === 4)
    return { client: lib, available: false, command: shown, exitCode: null, accepted: null, error: null, bundle: null };
  const lines = result.stdout.split(/\r?\n/);
  const bundle = lines.find((l) => l.startsWith('bundle '))?.slice('bundle '.length) ?? null;
  const said = firstLine(lines.filter((l) => !l.startsWith('bundle ')).join('\n'));
  return {
    client: lib,
    available: true,
    command: shown,
    exitCode: code,
    accepted: code === 0 ? true : code === 1 ? false : null,
    error: code === 0 ? null : (said ?? firstLine(result.stderr)),
    bundle,
  };
}

export function runClientChecks(target: ClientCheckTarget): Promise<ClientCheck[]> {
  return Promise.all([
    curlCheck(target),
    pythonCheck(target),
    libraryCheck('requests', target),
    libraryCheck('httpx', target),
  ]);
}
