// The version of the JSON shapes tlswitness writes (records, events, --json outputs), as published
// in docs/schema/. Minor versions only add (fields, enum values); a removal or narrowing is a new major.
export const SCHEMA_VERSION = '1.0';
