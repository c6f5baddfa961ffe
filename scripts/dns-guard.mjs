// Preloaded (node --import) into a proxy under test: name resolution never leaves this machine.
// Loopback names resolve as usual; every other name fails at once with ENOTFOUND, as an NXDOMAIN
// would, so malformed traffic can never make the proxy query a real resolver.
import dns from 'node:dns';
import { syncBuiltinESMExports } from 'node:module';

const LOCAL = /^(localhost|127\.\d+\.\d+\.\d+|::1|\[::1\])$/i;
const original = dns.lookup;
const originalPromise = dns.promises.lookup;

function notFound(host) {
  return Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), {
    code: 'ENOTFOUND',
    errno: -3008,
    syscall: 'getaddrinfo',
    hostname: host,
  });
}

dns.lookup = function guardedLookup(host, options, callback) {
  if (LOCAL.test(String(host))) return original.call(this, host, options, callback);
  const done = typeof options === 'function' ? options : callback;
  process.nextTick(done, notFound(host));
  return {};
};
dns.promises.lookup = async function guardedPromiseLookup(host, options) {
  if (LOCAL.test(String(host))) return originalPromise.call(this, host, options);
  throw notFound(host);
};
syncBuiltinESMExports();
