// Stands in for http-mitm-proxy's own CA module (its lib/ca.js) in the built binary (scripts/build.mjs):
// tlswitness terminates the app's TLS and mints leaves itself, so the library's CA never signs, and the
// real module would load node-forge and parse the CA key in JavaScript at every start.

/** What the library's Proxy.listen expects of `CA.create`: a CA object, handed to a callback. */
export default class LibraryCaStandIn {
  static create(_folder: string, callback: (error: Error | null, ca?: LibraryCaStandIn) => void): void {
    callback(null, new LibraryCaStandIn());
  }

  /** Reached only if the library did its own MITM, which the adapter never lets it do. */
  generateServerCertificateKeys(): never {
    throw new Error('http-mitm-proxy tried to mint a certificate itself; tlswitness mints every certificate');
  }

  getPem(): never {
    throw new Error('http-mitm-proxy asked for its own CA; tlswitness uses its local CA');
  }
}
