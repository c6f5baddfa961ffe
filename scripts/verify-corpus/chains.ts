// The named chains of the differential corpus, by category.
import { akiSkiChains, criticalExtensionChains, depthChains, keyUsageChains, pathLengthChains } from './chains-ext.js';
import {
  baselineChains,
  buildingChains,
  hostnameChains,
  oddNameChains,
  validityChains,
  weakChains,
} from './chains-misc.js';
import { decodingChains } from './chains-decoding.js';
import { encodingChains } from './chains-encoding.js';
import { nameConstraintChains } from './chains-nc.js';
import type { ChainSpec } from './spec.js';

export function namedChains(): ChainSpec[] {
  const all = [
    ...baselineChains(),
    ...hostnameChains(),
    ...nameConstraintChains(),
    ...criticalExtensionChains(),
    ...pathLengthChains(),
    ...depthChains(),
    ...akiSkiChains(),
    ...keyUsageChains(),
    ...oddNameChains(),
    ...validityChains(),
    ...weakChains(),
    ...buildingChains(),
    ...encodingChains(),
    ...decodingChains(),
  ];
  const seen = new Set<string>();
  for (const chain of all) {
    if (seen.has(chain.name)) throw new Error(`two chains are named ${chain.name}`);
    seen.add(chain.name);
  }
  return all;
}
