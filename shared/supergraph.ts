import type { composeServices as ComposeServices } from '@apollo/composition';
import { parse } from 'graphql';
import { fingerprintHeader } from './release';

export interface SubgraphSource {
  name: string;
  url: string;
  sdl: string;
}

export class CompositionError extends Error {
  constructor(readonly problems: string[]) {
    super(`Supergraph composition failed:\n- ${problems.join('\n- ')}`);
    this.name = 'CompositionError';
  }
}

/**
 * Composes the subgraphs' SDL into a supergraph with @apollo/composition; errors are listed
 * readably. The supergraph starts with each subgraph's schema fingerprint as composed.
 */
export function composeSupergraph(subgraphs: readonly SubgraphSource[]): { supergraphSdl: string; hints: string[] } {
  // Loaded when composing (npm run compose, the tests): a subgraph, which only serves its SDL, never loads it.
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded lazily, see above
  const { composeServices } = require('@apollo/composition') as { composeServices: typeof ComposeServices };
  const result = composeServices(subgraphs.map((s) => ({ name: s.name, url: s.url, typeDefs: parse(s.sdl) })));
  if (result.errors) throw new CompositionError(result.errors.map((e) => e.message));
  return { supergraphSdl: fingerprintHeader(subgraphs) + result.supergraphSdl, hints: result.hints.map((h) => `${h.definition.code}: ${h.message}`) };
}
