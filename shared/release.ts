import { createHash } from 'node:crypto';
import { parse, print } from 'graphql';

/**
 * What a subgraph is built from, so each can be released on its own and an operator can tell
 * which build runs where: in its /ready details and as `subgraph_build_info{kit_version,
 * schema_fingerprint} 1`. The gateway's /ready lists them next to what its supergraph expects.
 */
export interface BuildInfo {
  /** The POI kit version it is built on (poi-kit/version.ts), or NO_KIT. */
  kitVersion: string;
  /** Its schema's fingerprint (schemaFingerprint of its SDL). */
  schemaFingerprint: string;
}

/** The kit version of a subgraph not built on the POI kit (the collaboration): not applicable. */
export const NO_KIT = 'none';

/**
 * A schema's fingerprint: the first 12 hex digits of the sha256 of its SDL, printed from the
 * parsed SDL so that comments and layout do not count (descriptions do: they are part of it).
 */
export function schemaFingerprint(sdl: string): string {
  return createHash('sha256')
    .update(print(parse(sdl)))
    .digest('hex')
    .slice(0, 12);
}

const FINGERPRINT_LINE = /^# fingerprint (\S+) ([0-9a-f]{12})$/gm;

/**
 * The comment lines `npm run compose` puts at the top of the supergraph: each subgraph's
 * fingerprint as composed. Comments, so every engine reads the file as before.
 */
export function fingerprintHeader(subgraphs: readonly { name: string; sdl: string }[]): string {
  const lines = subgraphs.map((s) => `# fingerprint ${s.name} ${schemaFingerprint(s.sdl)}`);
  return `# Subgraph schema fingerprints this supergraph was composed from (shared/release.ts):\n${lines.join('\n')}\n\n`;
}

/** The fingerprint a supergraph expects of each subgraph, by name (none for a file composed without them). */
export function expectedFingerprints(supergraphSdl: string): Record<string, string> {
  return Object.fromEntries([...supergraphSdl.matchAll(FINGERPRINT_LINE)].map(([, name, fingerprint]) => [name, fingerprint]));
}
