import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../shared/config';
import { applyAllowlist, compareSupergraphs, findBreakingSchemaChanges, SchemaChange } from '../shared/schema-changes';
import { composeSupergraph } from '../shared/supergraph';
import { SUBGRAPHS } from '../subgraphs/catalog';
import { ALLOWLIST_FILE, findPreviousSupergraph, Git, runSchemaCheck } from '../scripts/schema-check';

const ROOT = path.join(__dirname, '..');
const defaults = loadConfig({});
const sources = SUBGRAPHS.map((s) => ({ name: s.name, url: defaults.subgraphs.find((c) => c.name === s.name)!.url, sdl: s.sdl }));
const POI_SUBGRAPHS = SUBGRAPHS.map((s) => s.name).filter((name) => name !== 'collaboration' && name !== 'network');

/** The real composition, as it is now: "previous" in every comparison below. */
const current = composeSupergraph(sources).supergraphSdl;

type Edit = { in: 'collaboration' | 'pois'; from: string; to: string };

/**
 * Recomposes every subgraph after replacing `from` by `to` in the collaboration's SDL or in every
 * POI subgraph's SDL (their value types are @shareable and must stay identical). The network
 * subgraph's SDL is built from the same kit, with each network node type (`NetworkLibrary`) a copy
 * of the POI node type's fields: a kit edit changes it everywhere (both types). A `from` that is
 * not found fails the test, so a schema that drifts cannot make an assertion pass vacuously.
 */
function recompose(...edits: Edit[]): string {
  const changed = sources.map((source) => {
    let sdl = source.sdl;
    for (const edit of edits) {
      const network = edit.in === 'pois' && source.name === 'network';
      const applies = edit.in === 'collaboration' ? source.name === 'collaboration' : POI_SUBGRAPHS.includes(source.name) || network;
      if (!applies) continue;
      if (!sdl.includes(edit.from)) throw new Error(`"${edit.from}" not found in the ${source.name} subgraph's SDL`);
      sdl = network ? sdl.replaceAll(edit.from, edit.to) : sdl.replace(edit.from, edit.to);
    }
    return { ...source, sdl };
  });
  return composeSupergraph(changed).supergraphSdl;
}

const MEMBER_COUNT = '  "Number of members (leden)."\n  memberCount: Int!\n';
const removeMemberCount: Edit = { in: 'pois', from: MEMBER_COUNT, to: '' };
const addLoanCount: Edit = { in: 'pois', from: MEMBER_COUNT, to: `${MEMBER_COUNT}  "Loans this year."\n  loanCount: Int\n` };
const describe_ = (changes: readonly SchemaChange[]) => changes.map((c) => `${c.type}: ${c.description}`);

describe('breaking changes between two supergraphs (client-facing API schema)', () => {
  it('finds none between a supergraph and itself', () => {
    expect(compareSupergraphs(current, current)).toEqual({ breaking: [], dangerous: [], safe: [] });
  });

  it('ignores the join__ machinery: other subgraph URLs change the supergraph, not the API', () => {
    const moved = composeSupergraph(sources.map((s) => ({ ...s, url: `http://elsewhere.example:9999/${s.name}` }))).supergraphSdl;
    expect(moved).not.toBe(current);
    expect(compareSupergraphs(current, moved)).toEqual({ breaking: [], dangerous: [], safe: [] });
  });

  it('reports a removed field', () => {
    // And its network twin (a network list's node has every field of the POI's node type).
    expect(describe_(findBreakingSchemaChanges(current, recompose(removeMemberCount))).sort()).toEqual([
      'FIELD_REMOVED: Library.memberCount was removed.',
      'FIELD_REMOVED: NetworkLibrary.memberCount was removed.',
    ]);
  });

  it("reports a field's type changed incompatibly", () => {
    const next = recompose({ in: 'pois', from: MEMBER_COUNT, to: MEMBER_COUNT.replace('Int!', 'String!') });
    expect(describe_(findBreakingSchemaChanges(current, next)).sort()).toEqual([
      'FIELD_CHANGED_KIND: Library.memberCount changed type from Int! to String!.',
      'FIELD_CHANGED_KIND: NetworkLibrary.memberCount changed type from Int! to String!.',
    ]);
  });

  it('reports an output field made nullable (clients may not expect null)', () => {
    const next = recompose({ in: 'pois', from: MEMBER_COUNT, to: MEMBER_COUNT.replace('Int!', 'Int') });
    expect(describe_(findBreakingSchemaChanges(current, next)).sort()).toEqual([
      'FIELD_CHANGED_KIND: Library.memberCount changed type from Int! to Int.',
      'FIELD_CHANGED_KIND: NetworkLibrary.memberCount changed type from Int! to Int.',
    ]);
  });

  it('reports an optional argument made required', () => {
    const next = recompose({ in: 'collaboration', from: 'province: Province): [Poi!]', to: 'province: Province!): [Poi!]' });
    expect(describe_(findBreakingSchemaChanges(current, next))).toEqual([
      'ARG_CHANGED_KIND: Query.pois arg province has changed type from Province to Province!.',
    ]);
  });

  it('reports a removed argument and a new required argument', () => {
    const next = recompose({
      in: 'collaboration',
      from: '"Only items led by this POI (its code)."\n    ownerCode: ID',
      to: '"The year."\n    year: Int!',
    });
    expect(describe_(findBreakingSchemaChanges(current, next)).sort()).toEqual([
      'ARG_REMOVED: Query.workAgenda arg ownerCode was removed.',
      'REQUIRED_ARG_ADDED: A required arg year on Query.workAgenda was added.',
    ]);
  });

  it('reports a removed enum value', () => {
    const next = recompose({ in: 'collaboration', from: '  DONE\n  "Paused until further notice (aangehouden)."\n  ON_HOLD\n}', to: '  DONE\n}' });
    expect(describe_(findBreakingSchemaChanges(current, next))).toEqual(['VALUE_REMOVED_FROM_ENUM: ON_HOLD was removed from enum type WorkAgendaStatus.']);
  });

  it('reports an input field made required', () => {
    const province = '"Only libraries in this province."\n  province: Province\n';
    const next = recompose({ in: 'pois', from: province, to: province.replace('Province\n', 'Province!\n') });
    expect(describe_(findBreakingSchemaChanges(current, next))).toEqual([
      'FIELD_CHANGED_KIND: LibraryFilter.province changed type from Province to Province!.',
    ]);
  });

  it('does not report additions as breaking: new optional field, new type, new optional argument', () => {
    const next = recompose(
      addLoanCount,
      {
        in: 'collaboration',
        from: '  steeringGroup: [SteeringGroupMember!]',
        to: '  steeringGroup(activeOnly: Boolean): [SteeringGroupMember!]\n  announcements: [Announcement!]!',
      },
      {
        in: 'collaboration',
        from: '"A member of the collaboration',
        to: 'type Announcement {\n  id: ID!\n  text: String!\n}\n\n"A member of the collaboration',
      },
    );
    const changes = compareSupergraphs(current, next);
    expect(changes.breaking).toEqual([]);
    expect(describe_(changes.safe).sort()).toEqual([
      'FIELD_ADDED: Field Library.loanCount was added.',
      'FIELD_ADDED: Field NetworkLibrary.loanCount was added.',
      'FIELD_ADDED: Field Query.announcements was added.',
      'TYPE_ADDED: Type Announcement was added.',
    ]);
    expect(describe_(changes.dangerous)).toEqual(['OPTIONAL_ARG_ADDED: An optional arg activeOnly on Query.steeringGroup was added.']);
  });

  it('reports a new enum value as dangerous, not breaking', () => {
    const next = recompose({ in: 'collaboration', from: '  ON_HOLD\n}', to: '  ON_HOLD\n  "Stopped."\n  CANCELLED\n}' });
    const changes = compareSupergraphs(current, next);
    expect(changes.breaking).toEqual([]);
    expect(describe_(changes.dangerous)).toEqual(['VALUE_ADDED_TO_ENUM: CANCELLED was added to enum type WorkAgendaStatus.']);
  });

  it('says which supergraph is invalid', () => {
    expect(() => compareSupergraphs('type Query { a: Int }', current)).toThrow(/previous supergraph is not a valid supergraph/);
  });
});

describe('the allowlist (schema-changes.allowed.json)', () => {
  const removal = 'Library.memberCount was removed.';
  // The one on Library (its network twin, NetworkLibrary.memberCount, goes the same way: one is enough here).
  const breaking = findBreakingSchemaChanges(current, recompose(removeMemberCount)).filter((c) => c.description === removal);

  it('is valid in the repository: an array whose every entry has a change and a reason', () => {
    const committed: unknown = JSON.parse(fs.readFileSync(path.join(ROOT, ALLOWLIST_FILE), 'utf8'));
    expect(committed).toEqual(expect.any(Array));
    expect(applyAllowlist([], committed).errors).toEqual([]);
  });

  it('allows a listed breaking change with a reason', () => {
    const result = applyAllowlist(breaking, [{ change: removal, reason: 'Replaced by stats.memberCount; dashboard owners told on 2026-11-20.' }]);
    expect(result.blocking).toEqual([]);
    expect(result.allowed).toEqual([
      { change: { type: 'FIELD_REMOVED', description: removal }, reason: 'Replaced by stats.memberCount; dashboard owners told on 2026-11-20.' },
    ]);
    expect(result.unusedAllowances).toEqual([]);
    expect(result.errors).toEqual([]);
  });

  it('keeps an unlisted breaking change blocking', () => {
    const result = applyAllowlist(breaking, []);
    expect(result.blocking.map((c) => c.description)).toEqual([removal]);
    expect(result.allowed).toEqual([]);
  });

  it('treats an entry without a reason as an error that allows nothing', () => {
    for (const entry of [{ change: removal }, { change: removal, reason: '   ' }, { change: removal, reason: 42 }]) {
      const result = applyAllowlist(breaking, [entry]);
      expect(result.errors).toEqual([expect.stringMatching(/entry 1 .*has no "reason"/)]);
      expect(result.blocking.map((c) => c.description)).toEqual([removal]);
      expect(result.allowed).toEqual([]);
    }
  });

  it('reports allowances that match no breaking change', () => {
    const stale = { change: 'Library.wiseInstanceCode was removed.', reason: 'Released last month.' };
    const result = applyAllowlist(breaking, [stale, { change: removal, reason: 'Agreed with the analysts.' }]);
    expect(result.unusedAllowances).toEqual([stale]);
    expect(result.blocking).toEqual([]);
    expect(result.errors).toEqual([]);
  });

  it('rejects a malformed allowlist', () => {
    expect(applyAllowlist(breaking, { change: removal, reason: 'x' }).errors).toEqual([expect.stringMatching(/must be a JSON array/)]);
    expect(applyAllowlist(breaking, ['Library.memberCount was removed.']).errors).toEqual([expect.stringMatching(/entry 1 must be an object/)]);
    expect(applyAllowlist(breaking, [{ reason: 'x' }]).errors).toEqual([expect.stringMatching(/entry 1 has no "change"/)]);
    const twice = applyAllowlist(breaking, [
      { change: removal, reason: 'a' },
      { change: removal, reason: 'b' },
    ]);
    expect(twice.errors).toEqual([expect.stringMatching(/entry 2 .*listed twice/)]);
  });
});

/** A git that knows a few files at a few commits; anything else fails like git would. */
function fakeGit(files: Record<string, string | undefined>, log: string[], options: { checkout?: boolean; shallow?: boolean } = {}): Git {
  return (args) => {
    if (options.checkout === false) return undefined;
    const [command, ...rest] = args;
    if (command === 'rev-parse' && rest[0] === '--is-inside-work-tree') return 'true\n';
    if (command === 'rev-parse' && rest[0] === '--is-shallow-repository') return options.shallow ? 'true\n' : 'false\n';
    if (command === 'rev-parse' && rest[0] === 'HEAD') return `${log[0] ?? 'head'}\n`;
    if (command === 'rev-parse' && rest[0] === '--verify') {
      const ref = rest[2].replace('^{commit}', '');
      return ref === 'HEAD' ? `${log[0]}\n` : log.includes(ref) ? `${ref}\n` : undefined;
    }
    if (command === 'show') {
      const [rev, file] = rest[0].split(':');
      return files[`${rev === 'HEAD' ? log[0] : rev}:${file}`];
    }
    if (command === 'log') return log.map((c) => `${c}\n`).join('');
    return undefined;
  };
}

describe('finding the previous supergraph', () => {
  const file = 'supergraph.graphql';
  const at = (commit: string) => `${commit}:./${file}`;

  it("is HEAD's when the working tree's file differs from it", () => {
    const git = fakeGit({ [at('c3')]: 'v3', [at('c2')]: 'v2' }, ['c3', 'c2']);
    expect(findPreviousSupergraph(git, file, 'v4')).toMatchObject({ found: true, sdl: 'v3', name: 'HEAD (c3)' });
  });

  it('is the most recent earlier commit with a different file when the working tree equals HEAD', () => {
    const git = fakeGit({ [at('c4')]: 'v3', [at('c3')]: 'v3', [at('c2')]: 'v2', [at('c1')]: 'v1' }, ['c4', 'c3', 'c2', 'c1']);
    expect(findPreviousSupergraph(git, file, 'v3')).toMatchObject({ found: true, sdl: 'v2', name: 'commit c2' });
  });

  it('is none for the first version, outside a git checkout, and in a shallow clone (saying so)', () => {
    const first = fakeGit({ [at('c1')]: 'v1' }, ['c1']);
    expect(findPreviousSupergraph(first, file, 'v1')).toEqual({ found: false, why: expect.stringMatching(/first version/) });
    const notCommitted = fakeGit({}, ['c1']);
    expect(findPreviousSupergraph(notCommitted, file, 'v1')).toEqual({ found: false, why: expect.stringMatching(/not in HEAD/) });
    const noGit = fakeGit({}, [], { checkout: false });
    expect(findPreviousSupergraph(noGit, file, 'v1')).toEqual({ found: false, why: expect.stringMatching(/not a git checkout/) });
    const shallow = fakeGit({ [at('c1')]: 'v1' }, ['c1'], { shallow: true });
    expect(findPreviousSupergraph(shallow, file, 'v1')).toEqual({ found: false, why: expect.stringMatching(/shallow clone.*--base/) });
  });
});

describe('the schema:check command', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'schema-check-'));
    fs.writeFileSync(path.join(dir, 'supergraph.graphql'), current);
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  /** Runs the check in a scratch folder whose git history holds `previous` as the last different version. */
  function check(previous: string, allowlist?: unknown, argv: string[] = []) {
    if (allowlist !== undefined) fs.writeFileSync(path.join(dir, ALLOWLIST_FILE), JSON.stringify(allowlist));
    const git = fakeGit({ 'c2:./supergraph.graphql': current, 'c1:./supergraph.graphql': previous }, ['c2', 'c1']);
    const lines: string[] = [];
    const code = runSchemaCheck({
      argv,
      root: dir,
      config: loadConfig({ SUPERGRAPH_PATH: path.join(dir, 'supergraph.graphql') }),
      git,
      print: (l) => lines.push(l),
    });
    return { code, output: lines.join('\n'), verdict: lines[lines.length - 1] };
  }

  it('fails on a breaking change, naming it and how to allow it', () => {
    const run = check(recompose(addLoanCount));
    expect(run.code).toBe(1);
    expect(run.output).toContain('Library.loanCount was removed.');
    expect(run.output).toContain(`{ "change": "Library.loanCount was removed.", "reason": "`);
    expect(run.output).toContain('NetworkLibrary.loanCount was removed.');
    expect(run.output).toContain(ALLOWLIST_FILE);
    expect(run.verdict).toMatch(/^FAIL: 2 breaking changes not allowed\.$/);
  });

  it('passes when the change is allowed with a reason, and fails when the reason is missing', () => {
    const reasons = (reason?: string) =>
      ['Library.loanCount was removed.', 'NetworkLibrary.loanCount was removed.'].map((change) => ({ change, ...(reason ? { reason } : {}) }));
    const allowed = check(recompose(addLoanCount), reasons('Never released to clients.'));
    expect(allowed.code).toBe(0);
    expect(allowed.output).toContain('reason: Never released to clients.');
    expect(allowed.verdict).toMatch(/^OK: no blocking schema change against commit c1 \(2 allowed breaking/);
    const noReason = check(recompose(addLoanCount), reasons());
    expect(noReason.code).toBe(1);
    expect(noReason.verdict).toMatch(/^FAIL: 2 breaking changes not allowed; schema-changes.allowed.json is invalid\.$/);
  });

  it('passes on additions, listing them as safe, and reports unused allowances', () => {
    const run = check(recompose(removeMemberCount), [{ change: 'Foo.bar was removed.', reason: 'Old.' }]);
    expect(run.output).toContain('+ Field Library.memberCount was added.');
    expect(run.output).toMatch(/match no breaking change[^\n]*\n {2}\? Foo\.bar was removed\./);
    expect(run.code).toBe(0);
    expect(run.verdict).toMatch(/^OK: /);
  });

  it('fails when the committed supergraph is not the fresh composition', () => {
    fs.writeFileSync(path.join(dir, 'supergraph.graphql'), recompose(addLoanCount));
    const run = check(current);
    expect(run.code).toBe(1);
    expect(run.output).toContain('run `npm run compose`');
    expect(run.verdict).toMatch(/^FAIL: supergraph.graphql is not the fresh composition/);
  });

  it('compares with --base <ref>, and fails on an unknown ref or argument', () => {
    expect(check(recompose(addLoanCount), undefined, ['--base', 'c1']).code).toBe(1);
    expect(check(recompose(addLoanCount), undefined, ['--base', 'c2']).code).toBe(0);
    expect(check(current, undefined, ['--base', 'nope']).verdict).toMatch(/^FAIL: --base nope: not a commit/);
    expect(check(current, undefined, ['--bass']).code).toBe(2);
  });
});

describe('schema:check on the real repository', () => {
  it('finds no blocking change: the committed supergraph is current', () => {
    const lines: string[] = [];
    const code = runSchemaCheck({ config: loadConfig({}), print: (l) => lines.push(l) });
    expect(lines[lines.length - 1]).toMatch(/^OK: /);
    expect(code).toBe(0);
  });

  it('exits 0 from the command line (`npm run schema:check`)', () => {
    // Only the defaults decide subgraph URLs here, as in test/supergraph.test.ts.
    const env = Object.fromEntries(
      Object.entries(process.env).filter(([key]) => key.endsWith('_DATABASE_URL') || !/^(HOST|SUPERGRAPH_PATH)$|_(URL|PORT)$/.test(key)),
    );
    const run = spawnSync(path.join(ROOT, 'node_modules', '.bin', 'tsx'), ['scripts/schema-check.ts'], { cwd: ROOT, env, encoding: 'utf8' });
    const lines = run.stdout.trim().split('\n');
    expect(run.stderr).toBe('');
    expect(lines[lines.length - 1]).toMatch(/^OK: /);
    expect(run.status).toBe(0);
  });
});
