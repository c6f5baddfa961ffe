// `tlswitness proxy` (and bare `tlswitness`): flags here; the run is in proxy-run.ts, loaded on demand.
import type { Argv } from 'yargs';
import { TlswitnessError } from '../errors.js';
import type { ArgsOf, Command } from './command-module.js';
import { withNetworkOptions } from './connect-options.js';

function builder(yargs: Argv<object>) {
  return (
    withNetworkOptions(yargs)
      .option('host', {
        type: 'string',
        default: '127.0.0.1',
        describe: 'address to listen on (off loopback only with --auth)',
      })
      .option('port', { type: 'number', default: 8080, describe: 'port to listen on (0: any free port)' })
      .option('mode', {
        choices: ['mitm', 'tunnel'] as const,
        default: 'mitm' as const,
        describe: 'mitm: intercept what verifies; tunnel: relay everything untouched (chains still recorded)',
      })
      .option('passthrough', {
        type: 'string',
        array: true,
        describe: 'never intercept these hosts (api.example.com, *.example.com, IPs, optional :port); repeatable',
      })
      .option('on-upstream-error', {
        choices: ['block', 'tunnel'] as const,
        default: 'block' as const,
        describe: 'a host that fails verification: a 502 with the diagnosis, or the original bytes',
      })
      .option('complete-chains', {
        type: 'boolean',
        default: false,
        describe:
          "repair a missing intermediate from the leaf's AIA URL, as browsers do (still recorded as incomplete-chain)",
      })
      .option('upstream-client-cert', {
        type: 'string',
        array: true,
        describe: 'HOSTPATTERN=CERT.pem,KEY.pem: present this client certificate to matching hosts (mTLS); repeatable',
      })
      .option('auth', {
        type: 'string',
        describe:
          'require Proxy-Authorization Basic user:pass (needed off loopback; visible in ps: prefer $TLSWITNESS_PROXY_AUTH or --auth-file)',
      })
      .option('auth-file', {
        type: 'string',
        describe: 'read user:pass for --auth from the first line of this file (mode 0600)',
      })
      .option('log', { type: 'string', describe: 'append every event as NDJSON to this file' })
      .option('evidence-dir', {
        type: 'string',
        describe:
          'write an evidence bundle per problem host here, and a HAR 1.2 of the session (redacted) when it ends',
      })
      .option('json', { type: 'boolean', default: false, describe: 'NDJSON events on stdout' })
      .option('tui', { type: 'boolean', default: true, describe: 'the terminal UI (--no-tui: one line per event)' })
      // Hidden: the request-head deadline (ProxyLimits.headerTimeoutMs), for tests that play slow senders.
      .option('header-timeout', { type: 'number', hidden: true })
      .check((args) => {
        if (!Number.isInteger(args.port) || args.port < 0 || args.port > 65535) {
          throw new TlswitnessError(
            'bad-usage',
            `--port ${Number.isNaN(args.port) ? 'takes a number' : `${args.port} is not a port`}: give a number from 1 to 65535, or 0 for any free port`,
          );
        }
        return true;
      })
  );
}

export type ProxyArgs = ArgsOf<typeof builder>;

export const proxyCommand: Command<object, ProxyArgs> = {
  command: ['proxy', '$0'],
  describe: 'run the proxy: record every upstream handshake, MITM what verifies, block what does not',
  builder,
  handler: async (args) => (await import('./proxy-run.js')).runProxy(args),
};
