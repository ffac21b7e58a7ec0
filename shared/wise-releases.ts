import { addDays, addMonths } from './dates';

/**
 * Wise releases (releaseplanning): the vendor's release states and each POI's joint acceptance-test
 * states, shared by the collaboration (which holds the releases) and the POI kit (where each POI
 * keeps its own acceptance of them), plus the demo releases both seed.
 *
 * Demo: no source gives Wise version numbers or release dates, so the seeded releases are
 * generated around SEED_DATE and their versions say so (`DEMO-2026.03`).
 */
export const WISE_RELEASE_STATUSES = ['ANNOUNCED', 'IN_TEST', 'RELEASED', 'WITHDRAWN'] as const;
export type WiseReleaseStatus = (typeof WISE_RELEASE_STATUSES)[number];

/** The vendor's release states a release may move to from each state. */
export const WISE_RELEASE_TRANSITIONS: Record<WiseReleaseStatus, readonly WiseReleaseStatus[]> = {
  ANNOUNCED: ['IN_TEST', 'RELEASED', 'WITHDRAWN'],
  IN_TEST: ['ANNOUNCED', 'RELEASED', 'WITHDRAWN'],
  RELEASED: ['WITHDRAWN'],
  WITHDRAWN: [],
};

export const RELEASE_TEST_STATUSES = ['NOT_STARTED', 'IN_PROGRESS', 'PASSED', 'FAILED'] as const;
export type ReleaseTestStatus = (typeof RELEASE_TEST_STATUSES)[number];

/** A POI's acceptance test moves on from each state to these (a failed or passed test can be taken up again). */
export const RELEASE_TEST_TRANSITIONS: Record<ReleaseTestStatus, readonly ReleaseTestStatus[]> = {
  NOT_STARTED: ['IN_PROGRESS'],
  IN_PROGRESS: ['PASSED', 'FAILED', 'NOT_STARTED'],
  FAILED: ['IN_PROGRESS'],
  PASSED: ['IN_PROGRESS'],
};

/** A Wise version as written here: letters, digits, dots and dashes, e.g. 25.2 or DEMO-2026.03. */
export const WISE_VERSION_PATTERN = /^[A-Za-z0-9][A-Za-z0-9.-]{0,29}$/;
export const WISE_VERSION_RULE = 'must be 1 to 30 letters, digits, dots or dashes, like 25.2 or DEMO-2026.03';

export interface DemoWiseRelease {
  version: string;
  releasedOn: string;
  status: WiseReleaseStatus;
  notes: string;
}

/** Months from the seed date to each demo release, and its state. */
const DEMO_SCHEDULE: { months: number; status: WiseReleaseStatus; notes: string }[] = [
  { months: -14, status: 'RELEASED', notes: 'Demo: onderhoudsrelease met verbeteringen in reserveringen en inname.' },
  { months: -10, status: 'WITHDRAWN', notes: 'Demo: release teruggetrokken door de leverancier na een fout in de tarievenmodule.' },
  { months: -6, status: 'RELEASED', notes: 'Demo: nieuwe rapportages managementinformatie en koppelingen betaalautomaten.' },
  { months: -2, status: 'RELEASED', notes: 'Demo: beveiligingsupdate en kleine verbeteringen in de ledenadministratie.' },
  { months: 2, status: 'IN_TEST', notes: 'Demo: vernieuwde catalogusweergave; gezamenlijke acceptatietest loopt.' },
  { months: 6, status: 'ANNOUNCED', notes: 'Demo: aangekondigd; inhoud volgt van de leverancier.' },
];

/** The demo releases for a seed date, by release date. */
export function demoWiseReleases(referenceDate: string): DemoWiseRelease[] {
  const month = `${referenceDate.slice(0, 7)}-01`;
  return DEMO_SCHEDULE.map(({ months, status, notes }) => {
    const releasedOn = addDays(addMonths(month, months), 14);
    return { version: `DEMO-${releasedOn.slice(0, 4)}.${releasedOn.slice(5, 7)}`, releasedOn, status, notes };
  });
}

/** A POI's own type for its acceptance of a release: `CubissReleaseAcceptance` (the kit's `ThisReleaseAcceptance`). */
export const releaseAcceptanceTypeName = (poi: { typeName: string }) => `${poi.typeName.replace(/Poi$/, '')}ReleaseAcceptance`;
