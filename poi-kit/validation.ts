import { Checks } from '../shared/validation';
import { WISE_PLATFORM_CODE_PATTERN, type Poi } from '../shared/registry';
import type {
  BranchInput,
  ContractInput,
  KnowledgeArticleInput,
  KnowledgeArticleUpdateInput,
  LibraryInput,
  ReleaseAcceptanceInput,
  TicketInput,
  TicketUpdateInput,
} from './generated/resolvers';
import { RELEASE_TEST_STATUSES, WISE_VERSION_PATTERN, WISE_VERSION_RULE } from '../shared/wise-releases';
export type { BranchInput, ContractInput, KnowledgeArticleInput, LibraryInput, TicketInput } from './generated/resolvers';
export { Checks, invalidInput } from '../shared/validation';
import { CONTRACT_SERVICES, CONTRACT_STATUSES, TICKET_CATEGORIES, TICKET_PRIORITIES, TICKET_STATUSES, TICKET_TYPES } from './entities';

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

/** A Wise platform's code as the collaboration spells them (MIDDEN-ZUID); null or absent is allowed (the POI's default). */
export function checkWisePlatform(checks: Checks, field: string, value: unknown): void {
  if (value === null || value === undefined) return;
  if (typeof value !== 'string' || !WISE_PLATFORM_CODE_PATTERN.test(value.trim())) {
    checks.fail(field, 'must be a Wise platform code like MIDDEN-ZUID (2-40 capital letters, digits, - or _)');
  }
}

export function checkLibrary(checks: Checks, poi: Poi, input: Unchecked<LibraryInput>): void {
  checks.text('name', input.name, 200);
  checkWisePlatform(checks, 'wisePlatform', input.wisePlatform);
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
  checks.oneOf(
    'status',
    input.status,
    CONTRACT_STATUSES.filter((s) => s === 'DRAFT' || s === 'ACTIVE'),
    false,
  );
  if (input.serviceLevels !== undefined && input.serviceLevels !== null) {
    if (!Array.isArray(input.serviceLevels)) checks.fail('serviceLevels', 'must be a list');
    else {
      input.serviceLevels.forEach((level, i) => {
        checks.oneOf(`serviceLevels[${i}].priority`, level.priority, TICKET_PRIORITIES);
        checks.wholeNumber(`serviceLevels[${i}].responseHours`, level.responseHours, 1, MAX_SERVICE_LEVEL_HOURS);
        checks.wholeNumber(`serviceLevels[${i}].resolutionHours`, level.resolutionHours, 1, MAX_SERVICE_LEVEL_HOURS);
        if (typeof level.responseHours === 'number' && typeof level.resolutionHours === 'number' && level.resolutionHours < level.responseHours) {
          checks.fail(`serviceLevels[${i}].resolutionHours`, 'must not be less than responseHours');
        }
      });
      const priorities = input.serviceLevels.map((level) => level.priority);
      if (new Set(priorities).size !== priorities.length) checks.fail('serviceLevels', 'must not name a priority twice');
    }
  }
}

/** The longest agreed response or resolution time: a year, in hours. */
export const MAX_SERVICE_LEVEL_HOURS = 8760;

/** A vendor's case number: letters and digits first, then also space . _ : / # - (e.g. OCLC-123456, SF#00123). */
const VENDOR_CASE_REFERENCE = /^[A-Za-z0-9][A-Za-z0-9 ._:/#-]*$/;

export function checkVendorCaseReference(checks: Checks, value: unknown): void {
  checks.text('vendorCaseReference', value, 60, false);
  if (typeof value === 'string' && value.trim() !== '' && value.length <= 60 && !VENDOR_CASE_REFERENCE.test(value.trim())) {
    checks.fail('vendorCaseReference', "must be the vendor's case number: letters and digits, also space . _ : / # - after the first");
  }
}

export function checkTicketFields(checks: Checks, input: Unchecked<TicketInput & TicketUpdateInput>, required: boolean): void {
  checks.text('title', input.title, 300, required);
  checks.oneOf('category', input.category, TICKET_CATEGORIES, required);
  checks.oneOf('priority', input.priority, TICKET_PRIORITIES, required);
  checks.oneOf('status', input.status, TICKET_STATUSES, false);
  checks.oneOf('type', input.type, TICKET_TYPES, false);
  checkVendorCaseReference(checks, input.vendorCaseReference);
  if (input.agendaItemId !== undefined && input.agendaItemId !== null && !/^WA-\d{4}-\d{2}$/.test(input.agendaItemId)) {
    checks.fail('agendaItemId', 'must be a work-agenda id like WA-2025-03');
  }
  if (
    input.releaseVersion !== undefined &&
    input.releaseVersion !== null &&
    !(typeof input.releaseVersion === 'string' && WISE_VERSION_PATTERN.test(input.releaseVersion))
  ) {
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
