import { Checks } from '../shared/validation';
import type { Poi } from '../shared/registry';
import type { BranchInput, ContractInput, KnowledgeArticleInput, KnowledgeArticleUpdateInput, LibraryInput, ReleaseAcceptanceInput, TicketInput, TicketUpdateInput } from './generated/resolvers';
import { RELEASE_TEST_STATUSES, WISE_VERSION_PATTERN, WISE_VERSION_RULE } from '../shared/wise-releases';
export type { BranchInput, ContractInput, KnowledgeArticleInput, LibraryInput, TicketInput } from './generated/resolvers';
export { Checks, invalidInput } from '../shared/validation';
import { CONTRACT_SERVICES, CONTRACT_STATUSES, TICKET_CATEGORIES, TICKET_PRIORITIES, TICKET_STATUSES } from './entities';

const POSTAL_CODE = /^([1-9]\d{3}) ?([A-Z]{2})$/;

/** "3511ab" → "3511 AB"; null when it is no Dutch postal code. */
export function normalisePostalCode(value: string): string | null {
  const match = POSTAL_CODE.exec(value.trim().toUpperCase());
  return match ? `${match[1]} ${match[2]}` : null;
}

/**
 * One of the schema's input types (generated) as it arrives to be checked, from a mutation or from
 * an import's row: any field may be missing or null, an enum value any text, a number or flag anything.
 */
export type Unchecked<T> = { [K in keyof T]?: Loose<NonNullable<T[K]>> | null };
type Loose<V> = V extends string ? string : V extends Date ? V : V extends readonly (infer E)[] ? Loose<E>[] : V extends object ? Unchecked<V> : unknown;

export function checkBranch(checks: Checks, field: string, branch: Unchecked<BranchInput>): void {
  checks.text(`${field}.name`, branch.name, 200);
  checks.text(`${field}.city`, branch.city, 100);
  if (typeof branch.postalCode !== 'string' || normalisePostalCode(branch.postalCode) === null) {
    checks.fail(`${field}.postalCode`, 'must be a Dutch postal code like 3511 AB');
  }
  if (typeof branch.isMain !== 'boolean') checks.fail(`${field}.isMain`, 'must be true or false');
}

export function checkLibrary(checks: Checks, poi: Poi, input: Unchecked<LibraryInput>): void {
  checks.text('wiseInstanceCode', input.wiseInstanceCode, 20);
  checks.text('name', input.name, 200);
  checks.oneOf('province', input.province, poi.provinces);
  if (!Array.isArray(input.municipalities) || input.municipalities.length === 0) checks.fail('municipalities', 'must name at least one municipality');
  else input.municipalities.forEach((m, i) => checks.text(`municipalities[${i}]`, m, 100));
  checks.text('mainCity', input.mainCity, 100, false);
  checks.wholeNumber('memberCount', input.memberCount, 0, 10_000_000);
  if (input.branches) {
    input.branches.forEach((branch, i) => checkBranch(checks, `branches[${i}]`, branch));
    if (input.branches.filter((b) => b.isMain).length !== 1) checks.fail('branches', 'must have exactly one main branch (isMain)');
    const names = input.branches.map((b) => b.name);
    if (new Set(names).size !== names.length) checks.fail('branches', 'must not name a branch twice');
  }
}

export function checkContract(checks: Checks, input: Unchecked<ContractInput>): void {
  if (!Array.isArray(input.services) || input.services.length === 0) checks.fail('services', 'must list at least one service');
  else {
    input.services.forEach((s, i) => checks.oneOf(`services[${i}]`, s, CONTRACT_SERVICES));
    if (new Set(input.services).size !== input.services.length) checks.fail('services', 'must not name a service twice');
  }
  checks.date('startsOn', input.startsOn);
  checks.date('endsOn', input.endsOn);
  checks.order('endsOn', input.startsOn, input.endsOn, 'must be after startsOn');
  checks.amount('annualFee', input.annualFee);
  checks.wholeNumber('noticePeriodMonths', input.noticePeriodMonths, 0, 36);
  checks.oneOf('status', input.status, CONTRACT_STATUSES.filter((s) => s === 'DRAFT' || s === 'ACTIVE'), false);
}

export function checkTicketFields(checks: Checks, input: Unchecked<TicketInput & TicketUpdateInput>, required: boolean): void {
  checks.text('title', input.title, 300, required);
  checks.oneOf('category', input.category, TICKET_CATEGORIES, required);
  checks.oneOf('priority', input.priority, TICKET_PRIORITIES, required);
  checks.oneOf('status', input.status, TICKET_STATUSES, false);
  if (input.agendaItemId !== undefined && input.agendaItemId !== null && !/^WA-\d{4}-\d{2}$/.test(input.agendaItemId)) {
    checks.fail('agendaItemId', 'must be a work-agenda id like WA-2025-03');
  }
  if (input.releaseVersion !== undefined && input.releaseVersion !== null && !(typeof input.releaseVersion === 'string' && WISE_VERSION_PATTERN.test(input.releaseVersion))) {
    checks.fail('releaseVersion', WISE_VERSION_RULE);
  }
}

/** The fields of a release acceptance the POI can check on its own (the release's own date is the collaboration's: see PoiWrites). */
export function checkReleaseAcceptance(checks: Checks, input: Unchecked<ReleaseAcceptanceInput>): void {
  checks.oneOf('testStatus', input.testStatus, RELEASE_TEST_STATUSES, false);
  checks.date('plannedGoLiveOn', input.plannedGoLiveOn, false);
  checks.date('actualGoLiveOn', input.actualGoLiveOn, false);
  checks.text('notes', input.notes, 2000, false);
  checks.wholeNumber('expectedVersion', input.expectedVersion, 0, 2_000_000_000);
}

/** Most tags on one knowledge article, and the longest tag. */
export const MAX_TAGS = 50;
export const MAX_TAG_LENGTH = 50;

export function checkKnowledgeArticle(checks: Checks, input: Unchecked<KnowledgeArticleInput & KnowledgeArticleUpdateInput>, required: boolean): void {
  checks.text('title', input.title, 300, required);
  checks.text('summary', input.summary, 1000, required);
  checks.text('body', input.body, 60_000, required);
  checks.text('source', input.source, 100, required);
  if (input.tags !== undefined && input.tags !== null) {
    if (!Array.isArray(input.tags)) checks.fail('tags', 'must be a list of words');
    else if (input.tags.length > MAX_TAGS) checks.fail('tags', `must have at most ${MAX_TAGS} tags, got ${input.tags.length}`);
    else input.tags.forEach((t, i) => checks.text(`tags[${i}]`, t, MAX_TAG_LENGTH));
  } else if (required) checks.fail('tags', 'is required');
}
