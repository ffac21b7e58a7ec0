// `npm run schema:check`: a change to any subgraph must never break dashboards or saved queries
// by surprise.
//   (a) composes the subgraphs afresh and fails when the committed supergraph.graphql differs;
//   (b) finds the previous supergraph: HEAD's when the working tree's differs from it, else the
//       last earlier commit whose supergraph.graphql differs from HEAD's (or `--base <git-ref>`);
//   (c) fails on every breaking change of the client-facing API schema, previous → fresh, that
//       schema-changes.allowed.json does not allow with a reason.
// Exit code: 0 when everything holds, 1 when a check fails, 2 on a usage error.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { Config, ConfigError, loadConfig, PROJECT_ROOT } from '../shared/config';
import { runMain } from '../shared/lifecycle';
import { applyAllowlist, compareSupergraphs, consequenceOf, SchemaChange } from '../shared/schema-changes';
import { CompositionError } from '../shared/supergraph';
import { composeConfiguredSupergraph, SUBGRAPHS } from '../subgraphs/catalog';

export const ALLOWLIST_FILE = 'schema-changes.allowed.json';

const USAGE = `usage: npm run schema:check [-- --base <git-ref>]
  Composes the subgraphs, checks that supergraph.graphql is current, and fails on breaking changes
  of the client-facing schema against the previous committed supergraph (or the one at <git-ref>).`;

/** Composes every subgraph of the catalog, with the URLs of the configuration (as `npm run compose`). */
/** Runs git with these arguments; stdout, or undefined when git fails or is not installed. */
export type Git = (args: string[]) => string | undefined;

export function gitIn(cwd: string): Git {
  return (args) => {
    try {
      return execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 256 * 1024 * 1024 });
    } catch {
      return undefined;
    }
  };
}

/** `name` says which version it is (e.g. `commit 1a2b3c4d5e6f`); `label` also says why it was chosen. */
export type PreviousSupergraph = { found: true; sdl: string; name: string; label: string } | { found: false; why: string };

const short = (commit: string) => commit.slice(0, 12);

/**
 * The supergraph clients had before this change: HEAD's when the working tree's file differs from
 * it, otherwise the most recent earlier commit whose file differs from HEAD's.
 * `file` is relative to the git working directory; `workingTree` is its current content, if any.
 */
export function findPreviousSupergraph(git: Git, file: string, workingTree: string | undefined): PreviousSupergraph {
  if (git(['rev-parse', '--is-inside-work-tree'])?.trim() !== 'true') {
    return { found: false, why: 'not a git checkout (or git is not available)' };
  }
  const spec = `./${file.split(path.sep).join('/')}`;
  const head = git(['show', `HEAD:${spec}`]);
  if (head === undefined) return { found: false, why: `${file} is not in HEAD yet: this is its first version` };
  if (workingTree !== head) {
    const name = `HEAD (${short(git(['rev-parse', 'HEAD'])?.trim() ?? '?')})`;
    return { found: true, sdl: head, name, label: `${name}, since the working tree's ${file} differs from it` };
  }
  const commits = (git(['log', '--format=%H', '--', spec]) ?? '').split('\n').filter(Boolean);
  for (const commit of commits) {
    const sdl = git(['show', `${commit}:${spec}`]);
    if (sdl !== undefined && sdl !== head) {
      const name = `commit ${short(commit)}`;
      return { found: true, sdl, name, label: `${name}, the last version of ${file} before HEAD's` };
    }
  }
  const shallow = git(['rev-parse', '--is-shallow-repository'])?.trim() === 'true';
  return {
    found: false,
    why: shallow
      ? `no earlier version of ${file} in this shallow clone (fetch more history, or pass --base <git-ref>)`
      : `no earlier commit has a different ${file}: this is its first version`,
  };
}

/** The supergraph at a given git ref, for `--base`. */
export function supergraphAt(git: Git, file: string, ref: string): PreviousSupergraph | { error: string } {
  const commit = git(['rev-parse', '--verify', '--quiet', `${ref}^{commit}`])?.trim();
  if (!commit) return { error: `--base ${ref}: not a commit in this git checkout (or git is not available)` };
  const sdl = git(['show', `${commit}:./${file.split(path.sep).join('/')}`]);
  if (sdl === undefined) return { found: false, why: `${file} does not exist at ${ref} (${short(commit)})` };
  const name = `${ref} (${short(commit)})`;
  return { found: true, sdl, name, label: `${name}, given by --base` };
}

export interface SchemaCheckOptions {
  argv?: readonly string[];
  config?: Config;
  /** Folder of the git checkout and of schema-changes.allowed.json. */
  root?: string;
  git?: Git;
  /** Where lines of output go; console.log by default. */
  print?: (line: string) => void;
}

/** The whole check; returns the exit code. The last line printed is a one-line verdict. */
export function runSchemaCheck(options: SchemaCheckOptions = {}): number {
  const print = options.print ?? ((line: string) => console.log(line));
  const root = options.root ?? PROJECT_ROOT;
  const git = options.git ?? gitIn(root);
  const verdict = (code: number, line: string) => {
    print('');
    print(line);
    return code;
  };

  const argv = [...(options.argv ?? [])];
  let base: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--help' || arg === '-h') {
      print(USAGE);
      return 0;
    } else if (arg === '--base' && argv[i + 1] && !argv[i + 1].startsWith('-')) {
      base = argv[++i];
    } else if (arg.startsWith('--base=') && arg.length > '--base='.length) {
      base = arg.slice('--base='.length);
    } else {
      print(USAGE);
      return verdict(2, `FAIL: unknown or incomplete argument "${arg}".`);
    }
  }

  let config: Config;
  let fresh: string;
  try {
    config = options.config ?? loadConfig();
    fresh = composeConfiguredSupergraph(config).supergraphSdl;
  } catch (error) {
    if (error instanceof CompositionError || error instanceof ConfigError) {
      print(error instanceof CompositionError ? 'The subgraphs do not compose:' : 'Invalid configuration:');
      for (const problem of error.problems) print(`  - ${problem.replace(/\n/g, '\n    ')}`);
      const what = error instanceof CompositionError ? 'the subgraphs do not compose' : 'invalid configuration';
      return verdict(1, `FAIL: ${what} (${error.problems.length} problem${error.problems.length === 1 ? '' : 's'}).`);
    }
    throw error;
  }

  // (a) The committed file is what the gateway serves: it must be the fresh composition.
  const target = config.gateway.supergraphPath;
  const file = path.relative(root, target);
  const committed = fs.existsSync(target) ? fs.readFileSync(target, 'utf8') : undefined;
  const current = committed === fresh;
  if (current) print(`${file} is up to date with the ${SUBGRAPHS.length} subgraphs.`);
  else print(`${file} is ${committed === undefined ? 'missing' : 'out of date'}: run \`npm run compose\` and commit it.`);

  // (b) What clients had before.
  const previous = base !== undefined ? supergraphAt(git, file, base) : findPreviousSupergraph(git, file, committed);
  if ('error' in previous) return verdict(1, `FAIL: ${previous.error}.`);
  if (!previous.found) {
    print(`No previous supergraph to compare with: ${previous.why}. Breaking-change check skipped.`);
    return current
      ? verdict(0, `OK: ${file} is up to date; no previous supergraph, nothing to compare.`)
      : verdict(1, `FAIL: ${file} is not the fresh composition: run \`npm run compose\`.`);
  }
  print(`Previous supergraph: ${previous.label}.`);
  print(`Comparing its client-facing (API) schema with the fresh composition's.`);

  // (c) Breaking changes of what clients see, minus the ones allowed with a reason.
  let comparison;
  try {
    comparison = compareSupergraphs(previous.sdl, fresh);
  } catch (error) {
    return verdict(1, `FAIL: ${(error as Error).message}`);
  }
  const allowlistPath = path.join(root, ALLOWLIST_FILE);
  let allowlist: unknown = [];
  const allowlistErrors: string[] = [];
  if (fs.existsSync(allowlistPath)) {
    try {
      allowlist = JSON.parse(fs.readFileSync(allowlistPath, 'utf8'));
    } catch (error) {
      allowlistErrors.push(`it is not valid JSON: ${(error as Error).message}`);
    }
  }
  const result = applyAllowlist(comparison.breaking, allowlist);
  allowlistErrors.push(...result.errors);

  const list = (title: string, changes: readonly SchemaChange[], mark: string) => {
    if (changes.length === 0) return;
    print('');
    print(`${title} (${changes.length}):`);
    for (const change of changes) print(`  ${mark} ${change.description}`);
  };

  if (result.blocking.length > 0) {
    print('');
    print(`BREAKING changes for clients (${result.blocking.length}):`);
    for (const change of result.blocking) {
      print(`  x ${change.description}`);
      print(`      [${change.type}] ${consequenceOf(change)}.`);
    }
    print('');
    print('Dashboards and saved queries may depend on these. Prefer an additive change (add the new field, deprecate');
    print(`the old one with @deprecated(reason: ...)). If the break is deliberate and its users were told, allow it`);
    print(`in ${ALLOWLIST_FILE} with a reason, e.g.:`);
    for (const change of result.blocking) {
      print(`  { "change": ${JSON.stringify(change.description)}, "reason": "<why this is acceptable, who was told>" }`);
    }
  }
  if (result.allowed.length > 0) {
    print('');
    print(`Breaking changes allowed in ${ALLOWLIST_FILE} (${result.allowed.length}):`);
    for (const { change, reason } of result.allowed) print(`  ~ ${change.description}  (reason: ${reason})`);
  }
  list('Dangerous changes, not failing: check clients that switch over enum values or rely on defaults', comparison.dangerous, '!');
  list('Safe changes', comparison.safe, '+');
  if (comparison.breaking.length + comparison.dangerous.length + comparison.safe.length === 0) {
    print('');
    print('No change in the client-facing schema.');
  }
  if (result.unusedAllowances.length > 0) {
    print('');
    print(`Allowances in ${ALLOWLIST_FILE} that match no breaking change, stale once released: remove them (${result.unusedAllowances.length}):`);
    for (const allowance of result.unusedAllowances) print(`  ? ${allowance.change}`);
  }
  if (allowlistErrors.length > 0) {
    print('');
    print(`${ALLOWLIST_FILE} is invalid:`);
    for (const problem of allowlistErrors) print(`  - ${problem}`);
  }

  const failures: string[] = [];
  if (!current) failures.push(`${file} is not the fresh composition (run \`npm run compose\`)`);
  if (result.blocking.length > 0) failures.push(`${result.blocking.length} breaking change${result.blocking.length === 1 ? '' : 's'} not allowed`);
  if (allowlistErrors.length > 0) failures.push(`${ALLOWLIST_FILE} is invalid`);
  if (failures.length > 0) return verdict(1, `FAIL: ${failures.join('; ')}.`);
  const summary = [`${result.allowed.length} allowed breaking`, `${comparison.dangerous.length} dangerous`, `${comparison.safe.length} safe`].join(', ');
  return verdict(0, `OK: no blocking schema change against ${previous.name} (${summary}).`);
}

if (require.main === module) {
  runMain(async () => {
    process.exitCode = runSchemaCheck({ argv: process.argv.slice(2) });
  });
}
