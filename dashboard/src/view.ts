// Renders the overview: cards, charts, the expiring-agreements table and the work-agenda board.
// Every panel can download the data behind it as CSV.
import type { OverviewResult, OverviewVariables, Poi, PoiStats, WiseRelease } from './api';
import type { ChartSpec } from './charts';
import { FALLBACK_COLOR, PRIORITY_COLORS, SETTING_COLORS, TICKET_STATUS_COLORS, TOTAL_COLOR, poiColor } from './colors';
import { downloadCsv, type CsvTable } from './csv';
import { h, on } from './dom';
import type { Formatters } from './format';
import { label, PROVINCES, type Dictionary } from './i18n';

export interface ViewContext {
  t: Dictionary;
  f: Formatters;
  result: OverviewResult;
  variables: OverviewVariables;
  /** Charts to draw once Chart.js has loaded. */
  charts: { container: HTMLElement; canvas: HTMLCanvasElement; spec: ChartSpec }[];
  /** Whether the expiring-agreements table is unfolded (kept over refreshes). */
  contractsOpen: boolean;
  onContractsToggle(open: boolean): void;
}

const TICKET_STATUSES = ['OPEN', 'IN_PROGRESS', 'WAITING', 'RESOLVED', 'CLOSED'];
const PRIORITIES = ['P1', 'P2', 'P3', 'P4'];
const AGENDA_STATUSES = ['PLANNED', 'IN_PROGRESS', 'ON_HOLD', 'DONE'];
const AGENDA_THEMES = ['SETUP', 'HARMONISATION', 'INTEGRATION', 'INNOVATION'];
const HARMONISATION_SETTINGS = ['LOAN_PERIOD', 'RESERVATION_FEE', 'MEMBERSHIP_FEE_TYPES', 'FINE_POLICY'];

/** Keys from the schema first in a fixed order, then any new ones the API returns. */
function keysOf(fixed: string[], seen: Iterable<string>): string[] {
  return [...fixed, ...[...new Set(seen)].filter((k) => !fixed.includes(k))];
}

const countOf = (list: { key: string; count: number }[], key: string) => list.find((k) => k.key === key)?.count ?? 0;

function panel(id: string, title: string, csv: () => CsvTable, t: Dictionary, today: string, ...body: Node[]): HTMLElement {
  const button = on(h('button', { type: 'button', class: 'csv', 'data-csv': id, title: t.csvTitle }, `${t.csv} ↓`), 'click', () =>
    downloadCsv(`${id}-${today}.csv`, csv()),
  );
  return h('section', { class: 'panel', 'data-panel': id }, h('header', { class: 'panel-head' }, h('h2', {}, title), button), ...body);
}

function chart(
  ctx: ViewContext,
  id: string,
  title: string,
  spec: ChartSpec,
  tall = false,
  attributes: Record<string, string | number | undefined> = {},
): HTMLElement {
  const canvas = h('canvas', { role: 'img', 'aria-label': title });
  const container = h('div', { class: tall ? 'chart tall' : 'chart', 'data-chart': id, 'data-state': 'loading', ...attributes }, canvas);
  ctx.charts.push({ container, canvas, spec });
  return container;
}

function unavailableNote(ctx: ViewContext, pois: Poi[]): HTMLElement | null {
  const down = pois.filter((p) => !p.stats && !ctx.result.denied.has(p.code));
  if (down.length === 0) return null;
  return h('p', { class: 'note' }, `${down.map((p) => p.name).join(', ')}: ${ctx.t.unavailable}`);
}

// ---------------------------------------------------------------- cards

interface Metric {
  key: keyof PoiStats | 'librariesInProvince';
  label: string;
  value: (stats: PoiStats) => string;
}

function metrics(ctx: ViewContext): Metric[] {
  const { t, f } = ctx;
  const province = ctx.variables.province;
  return [
    { key: 'libraryCount', label: t.libraries, value: (s) => f.integer(s.libraryCount) },
    { key: 'branchCount', label: t.branches, value: (s) => f.integer(s.branchCount) },
    { key: 'memberCount', label: t.members, value: (s) => f.integer(s.memberCount) },
    { key: 'activeContractCount', label: t.activeContracts, value: (s) => f.integer(s.activeContractCount) },
    { key: 'contractsExpiringWithin', label: t.expiring180, value: (s) => f.integer(s.contractsExpiringWithin) },
    { key: 'openTicketCount', label: t.openTickets, value: (s) => f.integer(s.openTicketCount) },
    { key: 'medianResolutionHours', label: t.medianHours, value: (s) => f.hours(s.medianResolutionHours) },
    ...(province
      ? [
          {
            key: 'librariesInProvince' as const,
            label: t.librariesIn(PROVINCES[province] ?? province),
            value: (s: PoiStats) => f.integer(countOf(s.librariesByProvince, province)),
          },
        ]
      : []),
  ];
}

function card(ctx: ViewContext, poi: Poi, index: number): HTMLElement {
  const { t } = ctx;
  const head = h(
    'header',
    { class: 'card-head' },
    h('span', { class: 'swatch', style: `background:${poiColor(poi.code, index)}` }),
    h('div', {}, h('h3', {}, poi.name), h('p', { class: 'full-name' }, poi.fullName)),
    h('p', { class: 'provinces' }, poi.provinces.map((p) => PROVINCES[p] ?? p).join(' · ')),
  );
  if (!poi.stats) {
    const denied = ctx.result.denied.has(poi.code);
    return h(
      'article',
      { class: 'card unavailable', 'data-poi': poi.code, 'data-state': denied ? 'denied' : 'unavailable' },
      head,
      h('p', { class: 'unavailable-label' }, denied ? t.denied : t.unavailable),
      h('p', { class: 'unavailable-detail' }, denied ? t.deniedDetail : t.unavailableDetail),
    );
  }
  const stats = poi.stats;
  return h(
    'article',
    { class: 'card', 'data-poi': poi.code, 'data-state': 'ready' },
    head,
    h(
      'dl',
      { class: 'metrics' },
      metrics(ctx).map((m) =>
        h('div', { class: `metric${m.key === 'librariesInProvince' ? ' wide' : ''}`, 'data-metric': m.key }, h('dt', {}, m.label), h('dd', {}, m.value(stats))),
      ),
    ),
  );
}

function cardsCsv(ctx: ViewContext): CsvTable {
  const province = ctx.variables.province;
  return {
    columns: [
      'code',
      'name',
      'available',
      'libraryCount',
      'branchCount',
      'memberCount',
      'activeContractCount',
      `contractsExpiringWithin${ctx.variables.expiringWithinDays}Days`,
      'openTicketCount',
      'medianResolutionHours',
      ...(province ? [`librariesIn_${province}`] : []),
    ],
    rows: ctx.result.data.pois.map((p) => {
      const s = p.stats;
      return [
        p.code,
        p.name,
        Boolean(s),
        s?.libraryCount,
        s?.branchCount,
        s?.memberCount,
        s?.activeContractCount,
        s?.contractsExpiringWithin,
        s?.openTicketCount,
        s?.medianResolutionHours,
        ...(province ? [s ? countOf(s.librariesByProvince, province) : null] : []),
      ];
    }),
  };
}

export function renderCards(ctx: ViewContext): HTMLElement {
  const { pois } = ctx.result.data;
  const grid = h(
    'div',
    { class: 'cards', id: 'cards' },
    pois.map((poi, i) => card(ctx, poi, i)),
  );
  if (pois.length === 0) grid.append(h('p', { class: 'empty' }, ctx.t.noPois));
  return panel('poi-overview', ctx.t.cards, () => cardsCsv(ctx), ctx.t, ctx.variables.today, grid);
}

/** Placeholders while the first answer is on its way. */
export function renderLoadingCards(t: Dictionary, count = 4): HTMLElement {
  return h(
    'section',
    { class: 'panel', 'data-panel': 'poi-overview', 'aria-busy': 'true' },
    h('header', { class: 'panel-head' }, h('h2', {}, t.cards)),
    h(
      'div',
      { class: 'cards', id: 'cards' },
      Array.from({ length: count }, () =>
        h('article', { class: 'card loading', 'data-state': 'loading' }, h('div', { class: 'shimmer' }), h('p', {}, t.loading)),
      ),
    ),
  );
}

// ---------------------------------------------------------------- tickets by status / priority

function groupedPanel(
  ctx: ViewContext,
  id: string,
  title: string,
  keys: string[],
  pick: (s: PoiStats) => { key: string; count: number }[],
  names: Record<string, string>,
  colors: Record<string, string>,
): HTMLElement {
  const available = ctx.result.data.pois.filter((p) => p.stats);
  const allKeys = keysOf(
    keys,
    available.flatMap((p) => pick(p.stats!).map((k) => k.key)),
  );
  const spec: ChartSpec = {
    kind: 'bar',
    stacked: true,
    labels: available.map((p) => p.name),
    series: allKeys.map((key) => ({
      label: label(names, key),
      color: colors[key] ?? FALLBACK_COLOR,
      data: available.map((p) => countOf(pick(p.stats!), key)),
    })),
    format: ctx.f.integer,
  };
  const csv = (): CsvTable => ({
    columns: ['code', 'name', ...allKeys],
    rows: available.map((p) => [p.code, p.name, ...allKeys.map((key) => countOf(pick(p.stats!), key))]),
  });
  return panel(id, title, csv, ctx.t, ctx.variables.today, chart(ctx, id, title, spec), unavailableNote(ctx, ctx.result.data.pois) ?? h('span'));
}

export function renderTicketsByStatus(ctx: ViewContext): HTMLElement {
  return groupedPanel(ctx, 'tickets-by-status', ctx.t.byStatus, TICKET_STATUSES, (s) => s.ticketsByStatus, ctx.t.ticketStatus, TICKET_STATUS_COLORS);
}

export function renderTicketsByPriority(ctx: ViewContext): HTMLElement {
  return groupedPanel(ctx, 'tickets-by-priority', ctx.t.byPriority, PRIORITIES, (s) => s.ticketsByPriority, ctx.t.priority, PRIORITY_COLORS);
}

// ---------------------------------------------------------------- tickets per month

export function renderTrend(ctx: ViewContext): HTMLElement {
  const { t, f } = ctx;
  const pois = ctx.result.data.pois;
  const available = pois.map((p, i) => ({ poi: p, index: i })).filter((x) => x.poi.stats);
  const all = available.flatMap((x) => [...x.poi.stats!.ticketsOpenedPerMonth, ...x.poi.stats!.ticketsResolvedPerMonth]);
  const months = keysOf(
    [],
    all.map((m) => m.month),
  ).sort();
  // The month still running (the API's complete: false) is labelled "so far" and its line dotted, not read as a drop.
  const incomplete = months.filter((m) => all.some((x) => x.month === m && !x.complete));
  const perMonth = (list: { month: string; count: number }[]) => months.map((m) => list.find((x) => x.month === m)?.count ?? 0);
  const series = (pick: (s: PoiStats) => { month: string; count: number }[]) => {
    const lines = available.map(({ poi, index }) => ({ label: poi.name, color: poiColor(poi.code, index), data: perMonth(pick(poi.stats!)) }));
    const total = months.map((_, i) => lines.reduce((sum, line) => sum + line.data[i], 0));
    return [...lines, { label: t.total, color: TOTAL_COLOR, data: total, emphasis: true }];
  };
  const opened = series((s) => s.ticketsOpenedPerMonth);
  const resolved = series((s) => s.ticketsResolvedPerMonth);
  const labels = months.map((m) => (incomplete.includes(m) ? `${f.month(m)} (${t.soFar})` : f.month(m)));
  const firstIncomplete = months.findIndex((m) => incomplete.includes(m));
  const dashedFrom = firstIncomplete > 0 ? firstIncomplete - 1 : undefined;
  const running = incomplete.map((m) => t.monthRunning(f.month(m))).join('; ');
  const attributes =
    incomplete.length === 0
      ? {}
      : { 'data-incomplete-months': incomplete.join(' '), 'data-dashed-from': dashedFrom, 'data-last-label': labels[labels.length - 1] };
  const trendChart = (id: string, caption: string, series: ChartSpec['series']) =>
    chart(
      ctx,
      id,
      `${t.trend}: ${caption}${running ? ` (${running})` : ''}`,
      { kind: 'line', labels, series, format: f.integer, dashedFrom },
      false,
      attributes,
    );
  const csv = (): CsvTable => ({
    columns: ['month', 'code', 'name', 'opened', 'resolved', 'complete'],
    rows: months.flatMap((month, i) => [
      ...available.map(({ poi }, j) => [month, poi.code, poi.name, opened[j].data[i], resolved[j].data[i], !incomplete.includes(month)]),
      [month, 'TOTAL', t.total, opened[opened.length - 1].data[i], resolved[resolved.length - 1].data[i], !incomplete.includes(month)],
    ]),
  });
  return panel(
    'tickets-per-month',
    t.trend,
    csv,
    t,
    ctx.variables.today,
    h(
      'div',
      { class: 'pair' },
      h('figure', {}, h('figcaption', {}, t.opened), trendChart('tickets-opened-per-month', t.opened, opened)),
      h('figure', {}, h('figcaption', {}, t.resolved), trendChart('tickets-resolved-per-month', t.resolved, resolved)),
    ),
    running ? h('p', { class: 'note', 'data-incomplete-note': true }, running) : h('span'),
    unavailableNote(ctx, pois) ?? h('span'),
  );
}

// ---------------------------------------------------------------- service levels

/** Per POI and month: requests due, met, and the share met (a line per POI, in percent; a month with nothing due is a gap). */
export function renderSla(ctx: ViewContext): HTMLElement {
  const { t, f } = ctx;
  const pois = ctx.result.data.pois;
  const available = pois.map((p, i) => ({ poi: p, index: i })).filter((x) => x.poi.stats);
  const months = keysOf(
    [],
    available.flatMap((x) => x.poi.stats!.slaCompliance.map((m) => m.month)),
  ).sort();
  const monthOf = (poi: Poi, month: string) => poi.stats!.slaCompliance.find((m) => m.month === month);
  const series = available.map(({ poi, index }) => ({
    label: poi.name,
    color: poiColor(poi.code, index),
    data: months.map((month) => {
      const share = monthOf(poi, month)?.share;
      return share === null || share === undefined ? null : Math.round(share * 1000) / 10;
    }),
  }));
  const csv = (): CsvTable => ({
    columns: ['month', 'code', 'name', 'due', 'met', 'share'],
    rows: months.flatMap((month) =>
      available.map(({ poi }) => {
        const m = monthOf(poi, month);
        return [month, poi.code, poi.name, m?.due ?? 0, m?.met ?? 0, m?.share ?? null];
      }),
    ),
  });
  return panel(
    'sla-compliance',
    t.sla,
    csv,
    t,
    ctx.variables.today,
    chart(ctx, 'sla-compliance', t.sla, { kind: 'line', labels: months.map(f.month), series, format: (points) => f.percent(points / 100) }),
    h('p', { class: 'note' }, t.slaNote),
    unavailableNote(ctx, pois) ?? h('span'),
  );
}

// ---------------------------------------------------------------- agreements ending

/** The twelve months starting with today's, as YYYY-MM. */
function nextTwelveMonths(today: string): string[] {
  const [year, month] = today.split('-').map(Number);
  return Array.from({ length: 12 }, (_, i) => {
    const d = new Date(Date.UTC(year, month - 1 + i, 1));
    return `${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, '0')}`;
  });
}

export function renderExpiring(ctx: ViewContext): HTMLElement {
  const { t, f } = ctx;
  const pois = ctx.result.data.pois;
  const months = nextTwelveMonths(ctx.variables.today);
  const available = pois.map((p, i) => ({ poi: p, index: i })).filter((x) => x.poi.expiringContracts);
  const rows = available
    .flatMap(({ poi }) => poi.expiringContracts!.nodes.map((c) => ({ poi, contract: c, month: c.endsOn.slice(0, 7) })))
    .sort((a, b) => a.contract.endsOn.localeCompare(b.contract.endsOn) || a.poi.code.localeCompare(b.poi.code));
  const spec: ChartSpec = {
    kind: 'bar',
    stacked: true,
    labels: months.map(f.month),
    series: available.map(({ poi, index }) => ({
      label: poi.name,
      color: poiColor(poi.code, index),
      data: months.map((m) => rows.filter((r) => r.poi === poi && r.month === m).length),
    })),
    format: f.integer,
  };
  const truncated = available.filter(({ poi }) => poi.expiringContracts!.pageInfo.hasNextPage);
  const table = h(
    'table',
    { class: 'data', 'data-table': 'contracts-expiring' },
    h('thead', {}, h('tr', {}, h('th', {}, t.month), h('th', {}, 'POI'), h('th', {}, t.library), h('th', {}, t.province), h('th', {}, t.endsOn))),
    h(
      'tbody',
      {},
      rows.map((r) =>
        h(
          'tr',
          {},
          h('td', {}, f.month(r.month)),
          h('td', {}, r.poi.name),
          h('td', {}, r.contract.library.name),
          h('td', {}, PROVINCES[r.contract.library.province] ?? r.contract.library.province),
          h('td', { class: 'num' }, f.date(r.contract.endsOn)),
        ),
      ),
    ),
  );
  const details = h(
    'details',
    { class: 'table-toggle', ...(ctx.contractsOpen ? { open: true } : {}) },
    h('summary', {}, t.showContracts(f.integer(rows.length))),
    table,
  );
  on(details, 'toggle', () => ctx.onContractsToggle(details.open));
  const csv = (): CsvTable => ({
    columns: ['month', 'code', 'poi', 'contractId', 'libraryId', 'library', 'province', 'endsOn'],
    rows: rows.map((r) => [
      r.month,
      r.poi.code,
      r.poi.name,
      r.contract.id,
      r.contract.library.id,
      r.contract.library.name,
      r.contract.library.province,
      r.contract.endsOn,
    ]),
  });
  return panel(
    'contracts-expiring',
    t.expiring,
    csv,
    t,
    ctx.variables.today,
    chart(ctx, 'contracts-expiring', t.expiring, spec),
    ...truncated.map(({ poi }) =>
      h('p', { class: 'note' }, t.moreThanShown(poi.name, f.integer(poi.expiringContracts!.nodes.length), f.integer(poi.expiringContracts!.totalCount))),
    ),
    unavailableNote(ctx, pois) ?? h('span'),
    details,
  );
}

// ---------------------------------------------------------------- settings harmonisation

/** Per POI its harmonisation score and per setting the share harmonised, as a chart (percent), a table and CSV. */
export function renderHarmonisation(ctx: ViewContext): HTMLElement {
  const { t, f } = ctx;
  const pois = ctx.result.data.pois;
  const available = pois.filter((p) => p.harmonisation);
  const settings = keysOf(
    HARMONISATION_SETTINGS,
    available.flatMap((p) => p.harmonisation!.settings.map((s) => s.setting)),
  );
  const of = (poi: Poi, setting: string) => poi.harmonisation!.settings.find((s) => s.setting === setting);
  const asPercent = (share: number | null | undefined) => (share === null || share === undefined ? 0 : Math.round(share * 1000) / 10);
  const spec: ChartSpec = {
    kind: 'bar',
    labels: available.map((p) => p.name),
    series: [
      { label: t.harmonisationScore, color: TOTAL_COLOR, data: available.map((p) => asPercent(p.harmonisationScore)) },
      ...settings.map((setting) => ({
        label: label(t.setting, setting),
        color: SETTING_COLORS[setting] ?? FALLBACK_COLOR,
        data: available.map((p) => asPercent(of(p, setting)?.harmonisedShare)),
      })),
    ],
    format: (value) => `${f.integer(value)}%`,
  };
  const table = h(
    'table',
    { class: 'data', 'data-table': 'harmonisation' },
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        h('th', {}, 'POI'),
        h('th', {}, t.harmonisationScore),
        settings.map((s) => h('th', {}, label(t.setting, s))),
      ),
    ),
    h(
      'tbody',
      {},
      available.map((p) =>
        h(
          'tr',
          { 'data-poi-row': p.code },
          h('td', {}, p.name),
          h('td', { class: 'num', 'data-score': '' }, f.percent(p.harmonisationScore)),
          settings.map((setting) => {
            const s = of(p, setting);
            return h(
              'td',
              { class: 'num', 'data-setting': setting, title: s ? t.deviating(f.integer(s.deviatingCount), f.integer(s.libraryCount)) : '' },
              s ? f.percent(s.harmonisedShare) : '–',
            );
          }),
        ),
      ),
    ),
  );
  const csv = (): CsvTable => ({
    columns: ['code', 'name', 'harmonisationScore', 'setting', 'libraryCount', 'deviatingCount', 'harmonisedShare'],
    rows: available.flatMap((p) =>
      settings.map((setting) => {
        const s = of(p, setting);
        return [p.code, p.name, p.harmonisationScore, setting, s?.libraryCount, s?.deviatingCount, s?.harmonisedShare];
      }),
    ),
  });
  const missing = pois.filter((p) => !p.harmonisation && !ctx.result.denied.has(p.code));
  return panel(
    'harmonisation',
    t.harmonisation,
    csv,
    t,
    ctx.variables.today,
    chart(ctx, 'harmonisation', t.harmonisation, spec),
    table,
    h('p', { class: 'note' }, t.harmonisationNote),
    missing.length > 0 ? h('p', { class: 'note' }, `${missing.map((p) => p.name).join(', ')}: ${t.unavailable}`) : h('span'),
  );
}

// ---------------------------------------------------------------- work agenda

export function renderAgenda(ctx: ViewContext): HTMLElement {
  const { t, f } = ctx;
  const items = ctx.result.data.workAgenda ?? [];
  const statuses = keysOf(
    AGENDA_STATUSES,
    items.map((i) => i.status),
  );
  const themes = keysOf(
    AGENDA_THEMES,
    items.map((i) => i.theme),
  );
  const poiIndex = new Map(ctx.result.data.pois.map((p, i) => [p.code, i]));
  const board = h(
    'div',
    { class: 'board', style: `grid-template-columns: 9rem repeat(${statuses.length}, minmax(0, 1fr))` },
    h('div', { class: 'board-corner' }, t.theme),
    statuses.map((s) =>
      h(
        'div',
        { class: 'board-status', 'data-status': s },
        label(t.agendaStatus, s),
        h('span', { class: 'count' }, f.integer(items.filter((i) => i.status === s).length)),
      ),
    ),
    themes.flatMap((theme) => [
      h('div', { class: 'board-theme' }, label(t.agendaTheme, theme)),
      ...statuses.map((status) =>
        h(
          'div',
          { class: 'board-cell', 'data-theme': theme, 'data-status': status },
          items
            .filter((i) => i.theme === theme && i.status === status)
            .map((i) =>
              h(
                'div',
                { class: 'agenda-item', 'data-agenda-item': i.id },
                h('p', { class: 'agenda-title' }, i.title),
                h(
                  'p',
                  { class: 'agenda-meta' },
                  i.owner
                    ? h(
                        'span',
                        { class: 'owner', title: t.owner, style: `border-color:${poiColor(i.owner.code, poiIndex.get(i.owner.code) ?? 0)}` },
                        i.owner.name,
                      )
                    : null,
                  h('span', { class: 'due' }, i.dueOn ? f.date(i.dueOn) : t.noDue),
                ),
              ),
            ),
        ),
      ),
    ]),
  );
  const csv = (): CsvTable => ({
    columns: ['id', 'title', 'theme', 'status', 'dueOn', 'ownerCode', 'ownerName'],
    rows: items.map((i) => [i.id, i.title, i.theme, i.status, i.dueOn, i.owner?.code, i.owner?.name]),
  });
  const body = ctx.result.data.workAgenda ? h('div', { class: 'board-scroll' }, board) : h('p', { class: 'note', 'data-state': 'denied' }, t.agendaDenied);
  return panel('work-agenda', t.agenda, csv, t, ctx.variables.today, body);
}

// ---------------------------------------------------------------- release calendar

/**
 * The release calendar: every Wise release by release date, with each shown POI's acceptance
 * test (status, planned and actual go-live). A POI whose subgraph is down shows no status.
 */
export function renderReleases(ctx: ViewContext): HTMLElement {
  const { t, f } = ctx;
  const releases = ctx.result.data.wiseReleases;
  const pois = ctx.result.data.pois;
  const acceptanceOf = (release: WiseRelease, code: string) => release.acceptance.find((a) => a.poi.code === code);
  const table = h(
    'table',
    { class: 'data', 'data-table': 'release-calendar' },
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        h('th', {}, t.releasedOn),
        h('th', {}, t.version),
        h('th', {}, t.vendorStatus),
        pois.map((p) => h('th', { 'data-poi-column': p.code }, p.name)),
      ),
    ),
    h(
      'tbody',
      {},
      (releases ?? []).map((release) =>
        h(
          'tr',
          { 'data-release': release.version, 'data-status': release.status },
          h('td', { class: 'num' }, f.date(release.releasedOn)),
          h('td', {}, release.version),
          h('td', {}, label(t.releaseStatus, release.status)),
          pois.map((p) => {
            const acceptance = acceptanceOf(release, p.code);
            const status = acceptance?.testStatus ?? null;
            return h(
              'td',
              { 'data-acceptance': p.code, 'data-test-status': status ?? 'unavailable' },
              h('span', { class: `test-status ${status ? status.toLowerCase() : 'unavailable'}` }, status ? label(t.testStatus, status) : t.unavailable),
              acceptance?.actualGoLiveOn
                ? h('span', { class: 'go-live' }, `${t.actualGoLive} ${f.date(acceptance.actualGoLiveOn)}`)
                : acceptance?.plannedGoLiveOn
                  ? h('span', { class: 'go-live' }, `${t.plannedGoLive} ${f.date(acceptance.plannedGoLiveOn)}`)
                  : null,
            );
          }),
        ),
      ),
    ),
  );
  const csv = (): CsvTable => ({
    columns: ['version', 'releasedOn', 'status', 'code', 'poi', 'testStatus', 'plannedGoLiveOn', 'actualGoLiveOn'],
    rows: (releases ?? []).flatMap((release) =>
      pois.map((p) => {
        const acceptance = acceptanceOf(release, p.code);
        return [
          release.version,
          release.releasedOn,
          release.status,
          p.code,
          p.name,
          acceptance?.testStatus,
          acceptance?.plannedGoLiveOn,
          acceptance?.actualGoLiveOn,
        ];
      }),
    ),
  });
  const body = !releases
    ? h('p', { class: 'note', 'data-state': 'denied' }, t.releasesDenied)
    : releases.length === 0
      ? h('p', { class: 'empty' }, t.noReleases)
      : h('div', { class: 'table-scroll' }, table);
  const demo = releases?.some((r) => r.version.startsWith('DEMO-')) ? h('p', { class: 'note' }, t.releasesDemo) : h('span');
  return panel('release-calendar', t.releases, csv, t, ctx.variables.today, body, demo);
}
