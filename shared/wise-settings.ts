import type { Checks } from './validation';

/**
 * The Wise settings the partnership harmonises (issue #14, settings harmonisation): one shape for
 * a library's settings (each POI's own database) and for the standard the partnership agreed (the
 * collaboration's database), checked and normalised the same way on both sides.
 */
export const HARMONISATION_SETTINGS = ['LOAN_PERIOD', 'RESERVATION_FEE', 'MEMBERSHIP_FEE_TYPES', 'FINE_POLICY'] as const;
export type HarmonisationSetting = (typeof HARMONISATION_SETTINGS)[number];

export const FINE_POLICY_KINDS = ['NONE', 'PER_DAY'] as const;
export type FinePolicyKind = (typeof FINE_POLICY_KINDS)[number];

export interface FinePolicy {
  kind: FinePolicyKind;
  perDayCents: number | null;
}

/** Values of the harmonised settings, as GraphQL's `WiseSettings` has them. */
export interface WiseSettingValues {
  loanPeriodDays: number;
  reservationFeeCents: number;
  /** Codes, unique, A to Z: the stored form, so that equal sets compare equal as text in SQL. */
  membershipFeeTypes: string[];
  finePolicy: FinePolicy;
}

/** What a write may give (GraphQL's LibrarySettingsInput / HarmonisationStandardInput): every value optional. */
export interface WiseSettingsInput {
  loanPeriodDays?: number | null;
  reservationFeeCents?: number | null;
  membershipFeeTypes?: readonly string[] | null;
  finePolicy?: { kind: FinePolicyKind; perDayCents?: number | null } | null;
}

const FEE_TYPE = /^[A-Z0-9_]{1,40}$/;

/** Adds every problem of `input` to `checks`; with `complete`, every value is required. */
export function checkWiseSettings(checks: Checks, input: WiseSettingsInput, complete: boolean): void {
  checks.wholeNumber('loanPeriodDays', input.loanPeriodDays, 1, 365, complete);
  checks.wholeNumber('reservationFeeCents', input.reservationFeeCents, 0, 10000, complete);
  const types = input.membershipFeeTypes;
  if (types === undefined || types === null) {
    if (complete) checks.fail('membershipFeeTypes', 'is required');
  } else if (types.length < 1 || types.length > 20) {
    checks.fail('membershipFeeTypes', 'must have 1 to 20 codes');
  } else {
    types.forEach((code, i) => {
      if (!FEE_TYPE.test(code)) checks.fail(`membershipFeeTypes[${i}]`, 'must be 1 to 40 characters of A-Z, 0-9 and _');
    });
  }
  const fine = input.finePolicy;
  if (fine === undefined || fine === null) {
    if (complete) checks.fail('finePolicy', 'is required');
  } else if (fine.kind === 'PER_DAY') {
    checks.wholeNumber('finePolicy.perDayCents', fine.perDayCents, 1, 1000);
  } else if (fine.perDayCents !== undefined && fine.perDayCents !== null) {
    checks.fail('finePolicy.perDayCents', 'must be left out when kind is NONE');
  }
}

/** The fields `input` gives, in stored form (fee types unique and sorted; no per-day fine without PER_DAY). */
export function normaliseWiseSettings(input: WiseSettingsInput): Partial<WiseSettingValues> {
  const values: Partial<WiseSettingValues> = {};
  if (input.loanPeriodDays !== undefined && input.loanPeriodDays !== null) values.loanPeriodDays = input.loanPeriodDays;
  if (input.reservationFeeCents !== undefined && input.reservationFeeCents !== null) values.reservationFeeCents = input.reservationFeeCents;
  if (input.membershipFeeTypes) values.membershipFeeTypes = [...new Set(input.membershipFeeTypes)].sort();
  if (input.finePolicy)
    values.finePolicy = { kind: input.finePolicy.kind, perDayCents: input.finePolicy.kind === 'PER_DAY' ? (input.finePolicy.perDayCents ?? null) : null };
  return values;
}

/** One setting's value as text, for people (the agreed standard's list, CSV): `21`, `BASIS, JEUGD`, `PER_DAY 25`. */
export function settingText(values: WiseSettingValues, setting: HarmonisationSetting): string {
  switch (setting) {
    case 'LOAN_PERIOD':
      return String(values.loanPeriodDays);
    case 'RESERVATION_FEE':
      return String(values.reservationFeeCents);
    case 'MEMBERSHIP_FEE_TYPES':
      return values.membershipFeeTypes.join(', ');
    case 'FINE_POLICY':
      return values.finePolicy.kind === 'PER_DAY' ? `PER_DAY ${values.finePolicy.perDayCents}` : 'NONE';
  }
}

/** How both sides store the values: one column each, the fine policy as its kind and the per-day fine. */
export interface WiseSettingColumns {
  loanPeriodDays: number;
  reservationFeeCents: number;
  membershipFeeTypes: string[];
  finePolicy: FinePolicyKind;
  finePerDayCents: number | null;
}

/** The columns of the values given (normalised); the others undefined, so they stay as they are. */
export function toColumns(input: WiseSettingsInput): Partial<WiseSettingColumns> {
  const values = normaliseWiseSettings(input);
  return {
    loanPeriodDays: values.loanPeriodDays,
    reservationFeeCents: values.reservationFeeCents,
    membershipFeeTypes: values.membershipFeeTypes,
    finePolicy: values.finePolicy?.kind,
    finePerDayCents: values.finePolicy ? values.finePolicy.perDayCents : undefined,
  };
}

/** A stored row's values, as GraphQL's `WiseSettings` has them. */
export function fromColumns(row: WiseSettingColumns): WiseSettingValues {
  return {
    loanPeriodDays: row.loanPeriodDays,
    reservationFeeCents: row.reservationFeeCents,
    membershipFeeTypes: row.membershipFeeTypes,
    finePolicy: { kind: row.finePolicy, perDayCents: row.finePerDayCents },
  };
}
