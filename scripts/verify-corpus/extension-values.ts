// Encoded values of extensions the spec has no structured form for (CRL distribution points, RFC 3779
// resources, proxyCertInfo, policy mappings), shared by the named chains and the mutations.
import { ctx, oid, seq } from './der.js';
import { encodeGeneralName } from './der-builder.js';

export const CRLDP = '2.5.29.31';
export const crlDp = (uri: string): string =>
  seq(seq(ctx(0, ctx(0, encodeGeneralName({ uri }), true), true))).toString('hex');
export const CRLDP_ISSUER_ONLY = seq(
  seq(ctx(2, encodeGeneralName({ dn: [{ type: 'CN', value: 'CRL Issuer' }] }), true)),
).toString('hex');
export const POLICY_MAPPING = seq(seq(oid('1.2.3.4.5'), oid('1.2.3.4.6'))).toString('hex');

// RFC 3779: id-pe-ipAddrBlocks and id-pe-autonomousSysIds, with IPv4 families (AFI 0001).
export const IP_BLOCKS = '1.3.6.1.5.5.7.1.7';
export const AS_IDS = '1.3.6.1.5.5.7.1.8';
export const IPV4_ALL = '300b3009040200013003030100';
export const IPV4_TEN = '300c300a0402000130040302000a';
export const IPV4_INHERIT = '30083006040200010500';
export const AS_64500 = '3009a00730050203' + '00fbf4';
export const AS_INHERIT = '3004a0020500';

// id-pe-proxyCertInfo { proxyPolicy { id-ppl-inheritAll } } (RFC 3820)
export const PROXY_CERT_INFO_OID = '1.3.6.1.5.5.7.1.14';
export const PROXY_CERT_INFO = '300c300a06082b06010505071501';
