/**
 * Generators of hostile GraphQL documents for the gateway's operation limits (issue 18):
 * fragment bombs whose expansion doubles (or multiplies by `fanOut`) at every level, in the
 * shapes an attacker can choose, padded with long names up to a target size.
 */

export interface HostileDocument {
  /** What the document does, for test names and failure messages. */
  shape: string;
  text: string;
}

export interface BombOptions {
  /** Fragments in the chain; the expansion is fanOut ** levels. */
  levels: number;
  /** Spreads of the next fragment in each fragment (2: doubling). */
  fanOut: number;
  /** Characters of each fragment's name (long names make a large document of few tokens). */
  nameLength?: number;
}

const names = (length: number) => (level: number) => `F${level}_`.padEnd(Math.max(length, 3), 'x');

/**
 * A chain of fragments, each spreading the next `fanOut` times through `spread(next)`, on type
 * `on`, the last one selecting `leaf`; the operation selects `root(first)`.
 */
function chain(options: BombOptions, on: string, root: (first: string) => string, spread: (next: string) => string, leaf: string): string {
  const name = names(options.nameLength ?? 3);
  const parts = [`query ${root(`...${name(0)}`)}`];
  for (let level = 0; level < options.levels; level++) {
    parts.push(`fragment ${name(level)} on ${on} { ${Array.from({ length: options.fanOut }, () => spread(name(level + 1))).join(' ')} }`);
  }
  parts.push(`fragment ${name(options.levels)} on ${on} { ${leaf} }`);
  return parts.join('\n');
}

/** `query { ...F0 } fragment F0 on Query { ...F1 ...F1 } … fragment Fn on Query { pois { code } }` */
export const doublingChain = (options: BombOptions) =>
  chain(
    options,
    'Query',
    (first) => `{ ${first} }`,
    (next) => `...${next}`,
    'pois { code }',
  );

/** Fragments on a nested type: `{ pois { ...F0 } }`, each `fragment Fi on Poi { code ...Fi+1 … }`. */
export const nestedChain = (options: BombOptions) =>
  chain(
    options,
    'Poi',
    (first) => `{ pois { ${first} } }`,
    (next) => `code ...${next}`,
    'code stats { libraryCount }',
  );

/** Each spread inside an inline fragment: `fragment Fi on Query { ... on Query { ...Fi+1 } … }`. */
export const inlineChain = (options: BombOptions) =>
  chain(
    options,
    'Query',
    (first) => `{ ${first} }`,
    (next) => `... on Query { ...${next} }`,
    'pois { code }',
  );

/** Many aliases of one spread at the top: `{ a0: pois { ...F0 } a1: pois { ...F0 } … }` over a nested chain. */
export function aliasedChain(options: BombOptions & { aliases: number }): string {
  const aliases = Array.from({ length: options.aliases }, (_, i) => `a${i}: pois { ...${names(options.nameLength ?? 3)(0)} }`).join(' ');
  return nestedChain(options).replace(/^query \{ pois \{ [^}]* \} \}/, `query { ${aliases} }`);
}

/** The same field, unaliased, many times over one spread: what OverlappingFieldsCanBeMerged compares pairwise. */
export function repeatedFieldChain(options: BombOptions & { repeats: number }): string {
  const field = `pois { ...${names(options.nameLength ?? 3)(0)} }`;
  return nestedChain(options).replace(/^query \{ pois \{ [^}]* \} \}/, `query { ${Array.from({ length: options.repeats }, () => field).join(' ')} }`);
}

/**
 * One of each shape, each expanding to at least 2^`doublings` selections, padded with long
 * names towards `bytes` (at most 1 MiB) while its tokens stay few (under 600).
 */
export function fragmentBombs(bytes: number, doublings: number): HostileDocument[] {
  const sized = (shape: string, make: (nameLength: number) => string): HostileDocument => {
    const small = make(3);
    const names = (small.match(/\.\.\.F|fragment F/g) ?? []).length;
    const text = make(Math.max(3, Math.floor((bytes - small.length) / names)));
    if (text.length > 2 ** 20) throw new Error(`${shape} is larger than 1 MiB`);
    return { shape: `${shape} (${Math.round(text.length / 1024)} KiB, 2^${doublings})`, text };
  };
  const levels = doublings;
  return [
    sized('doubling chain', (nameLength) => doublingChain({ levels, fanOut: 2, nameLength })),
    sized('wide fan-out', (nameLength) => doublingChain({ levels: Math.ceil(doublings / 4), fanOut: 16, nameLength })),
    sized('fragments on a nested type', (nameLength) => nestedChain({ levels, fanOut: 2, nameLength })),
    sized('spreads inside inline fragments', (nameLength) => inlineChain({ levels, fanOut: 2, nameLength })),
    sized('many aliases of a spread', (nameLength) => aliasedChain({ levels: levels - 4, fanOut: 2, nameLength, aliases: 25 })),
    sized('one field repeated over a spread', (nameLength) => repeatedFieldChain({ levels: levels - 4, fanOut: 2, nameLength, repeats: 25 })),
  ];
}
