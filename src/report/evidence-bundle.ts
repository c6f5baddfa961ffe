// One call for every writer of evidence (the command, the proxy's --evidence-dir, the TUI's `e`):
// the machine's facts, the files, and the bundle on disk.
import { arch, platform, release } from 'node:os';
import type { ClientCheck } from '../diagnose/comparison.js';
import type { HandshakeRecord } from '../types.js';
import { TOOL_VERSION } from '../version.js';
import { environmentSnapshot, type ToolVersions } from './environment.js';
import { evidenceFiles, type Evidence } from './evidence-files.js';
import { writeEvidence } from './evidence-writer.js';

export interface BundleRequest {
  path: string;
  record: HandshakeRecord;
  sanity?: HandshakeRecord | null;
  clients?: ClientCheck[];
  comparisonNote?: string;
  /** The file given to --public-roots, when it replaced Node's bundled Mozilla roots. */
  publicRoots?: string | null;
  env?: NodeJS.ProcessEnv;
  /** Python, certifi, curl and OpenSSL versions for report.json (the evidence command asks for them). */
  versions?: ToolVersions;
}

export interface WrittenBundle extends Evidence {
  path: string;
  written: string[];
}

export async function writeEvidenceBundle(request: BundleRequest): Promise<WrittenBundle> {
  const environment = environmentSnapshot(
    request.env ?? process.env,
    { platform: platform(), release: release(), arch: arch(), node: process.version },
    TOOL_VERSION,
    request.versions,
  );
  const evidence = evidenceFiles({
    record: request.record,
    sanity: request.sanity ?? null,
    clients: request.clients ?? [],
    environment,
    now: new Date(),
    comparisonNote: request.comparisonNote,
    publicRoots: request.publicRoots,
  });
  const written = await writeEvidence(request.path, evidence.files);
  return { ...evidence, path: request.path, written };
}
