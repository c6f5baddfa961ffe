// The `.example()` lines of the commands and subcommands, in one place, attached as the commands are registered
// (so `tlswitness COMMAND --help` and docs/cli.md show them); a builder's own (verify's) stay in its file.
// Hosts are example.com names, loopback or private addresses: never a real host.
import type { CommandModule } from 'yargs';
import type { Command } from './command-module.js';

/** `[command line, what it does]`; `$0` is the binary's name, as yargs writes it. Keyed by the command's path. */
export const EXAMPLES: Readonly<Record<string, ReadonlyArray<readonly [string, string]>>> = {
  proxy: [
    ['$0', 'the proxy on http://127.0.0.1:8080, with the terminal UI on a terminal'],
    ['$0 proxy --extra-ca corp-root.pem', "trust a corporate CA on the apps' behalf while IT fixes things"],
    [
      '$0 proxy --port 9090 --no-tui --log session.ndjson',
      'one line per event on the terminal, every event as NDJSON in a file',
    ],
    [
      '$0 proxy --passthrough api.example.com --passthrough "*.bank.example.com"',
      'relay these hosts untouched (their chains are still recorded)',
    ],
    [
      '$0 proxy --evidence-dir ./evidence',
      'an evidence bundle per problem host, and a HAR of the session when it stops',
    ],
  ],
  inspect: [
    ['$0 inspect api.example.com', "the chain as sent, each trust store's verdict and the diagnosis"],
    ['$0 inspect api.example.com:8443 --json', 'the handshake record as JSON'],
    [
      '$0 inspect api.example.com --resolve api.example.com:443:127.0.0.1',
      'connect to 127.0.0.1, send and check the name api.example.com',
    ],
    [
      '$0 inspect https://intranet.example.com/ --extra-ca corp-root.pem --save-chain served.pem',
      'trust a corporate CA, and keep the served chain as PEM',
    ],
    ['$0 inspect mtls.example.com --client-cert me.pem --client-key me-key.pem', 'present a client certificate (mTLS)'],
  ],
  detect: [
    ['$0 detect', 'several public sites served by different CAs, in parallel'],
    ['$0 detect api.example.com www.example.com --json', 'these targets, as JSON'],
    ['$0 detect --upstream-proxy http://proxy.example.com:3128', "through the network's HTTP proxy"],
  ],
  evidence: [
    ['$0 evidence api.example.com -o evidence-api', 'a bundle in a new folder'],
    ['$0 evidence api.example.com:8443 -o api-evidence.tar.gz', 'the same as one file to attach'],
    [
      '$0 evidence intranet.example.com --extra-ca corp-root.pem --sanity-host none -o intranet-evidence',
      'trust a corporate CA, skip the sanity host',
    ],
  ],
  explain: [
    [
      '$0 explain "curl: (60) SSL certificate problem: unable to get local issuer certificate"',
      'which client, which problem, whose side, what next',
    ],
    ['$0 explain --json < build.log', 'read the message from standard input'],
  ],
  cert: [
    [
      '$0 cert fullchain.pem',
      'subject, issuer, SAN, validity, key and fingerprints of each certificate; the order of a bundle',
    ],
    ['$0 cert bundle.p12 --password secret --json', 'a PKCS#12 file, as JSON (never a key)'],
  ],
  convert: [
    ['$0 convert cert.der --to pem -o cert.pem', 'DER to PEM'],
    ['$0 convert ca.pem --to p12 --password changeit -o ca.p12', 'a PKCS#12 trust store that Java loads'],
    [
      '$0 convert client.p12 --password secret --to pem -o client.pem --key-out client-key.pem',
      'certificates and key from a PKCS#12, in two files',
    ],
  ],
  bundle: [
    [
      '$0 bundle -o corp-bundle.pem --extra-ca corp-root.pem',
      'the system store plus a corporate CA, for REQUESTS_CA_BUNDLE and friends',
    ],
    [
      '$0 bundle -o corp-bundle.pem --extra-ca corp-root.pem --from public',
      "Node's bundled Mozilla roots plus a corporate CA",
    ],
  ],
  doctor: [
    ['$0 doctor', 'CA variables, switches that turn verification off, proxy variables, the system store'],
    ['$0 doctor --extra-ca corp-root.pem --json', 'and which clients trust the corporate CA, as JSON'],
  ],
  ca: [
    ['$0 ca init', 'create the local CA'],
    ['eval "$($0 ca env)"', "point this shell's apps at the proxy and trust its CA"],
  ],
  'ca init': [
    ['$0 ca init', 'create the local CA in the certs dir (once)'],
    ['$0 ca init --certs-dir ./tlswitness-certs', 'in another folder'],
  ],
  'ca path': [['$0 ca path', "the CA certificate's path, e.g. for curl --cacert"]],
  'ca show': [
    ['$0 ca show', 'subject, validity, key file and its mode, fingerprints'],
    ['$0 ca show --json', 'the same as JSON'],
  ],
  'ca export': [
    ['$0 ca export -o tlswitness-ca.pem', 'the CA certificate as PEM'],
    ['$0 ca export --format p12 --password changeit -o tlswitness-ca.p12', 'as a PKCS#12 trust store for Java'],
  ],
  'ca env': [
    ['eval "$($0 ca env)"', 'bash or zsh: HTTPS_PROXY and the CA variables for this shell'],
    ['$0 ca env --shell fish | source', 'the same for fish'],
    ['$0 ca env --proxy http://127.0.0.1:9090 --shell dotenv >> .env', 'lines for an app that reads a .env file'],
    ['eval "$($0 ca env --unset)"', 'undo them once the proxy is stopped'],
  ],
  'ca install': [
    ['sudo $0 ca install', 'trust the CA system-wide (OS store, NSS databases, Java cacerts where present)'],
  ],
  'ca uninstall': [['sudo $0 ca uninstall', 'remove it from every store install put it in']],
};

/** The first word of a yargs command string (`'inspect <target>'` → `'inspect'`). */
export function commandName(module: Pick<CommandModule, 'command'>): string {
  const command = Array.isArray(module.command) ? module.command[0] : module.command;
  return String(command ?? '').split(' ')[0]!;
}

/**
 * The same command with its examples (and its subcommands', registered from its builder) added to its builder.
 * A command without examples is registered unchanged; test/docs/cli-reference.test.ts requires them.
 */
export function withExamples<T, U>(module: Command<T, U>, parent = ''): Command<T, U> {
  const path = `${parent}${commandName(module)}`;
  const examples = EXAMPLES[path] ?? [];
  const builder = module.builder;
  return {
    ...module,
    builder: (yargs) => {
      // Subcommands go through the same wrapper; everything else reaches yargs as it is.
      const withSubcommandExamples = new Proxy(yargs, {
        get(target, key) {
          const value = Reflect.get(target, key, target) as unknown;
          if (typeof value !== 'function') return value;
          return (...args: unknown[]) => {
            if (key === 'command' && typeof args[0] === 'object' && args[0] !== null && !Array.isArray(args[0])) {
              args[0] = withExamples(args[0] as Command<unknown, unknown>, `${path} `);
            }
            const result = (value as (...a: unknown[]) => unknown).apply(target, args);
            return result === target ? withSubcommandExamples : result;
          };
        },
      });
      let built = builder(withSubcommandExamples);
      for (const [command, description] of examples) built = built.example(command, description);
      return built;
    },
  };
}
