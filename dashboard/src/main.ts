// The POI dashboard: one GraphQL request per refresh (operation DashboardOverview) through the
// gateway's public API, rendered as cards, charts, a table and the work-agenda board.
//
// URL parameters: ?refresh=<seconds> (default 60, 0 = off), ?province=<PROVINCE> (the filter,
// kept in the URL so a view can be shared), ?lang=en|nl.
//
// Live: with auto-refresh on, the page subscribes to the gateway's live channel (./live.ts) and
// refreshes when a change arrives (debounced), instead of on its timer; while the channel is down
// it refreshes every ?refresh= seconds, as before.
import './style.css';
import { FetchError, fetchOverview, type OverviewResult, type OverviewVariables } from './api';
import { h, on } from './dom';
import { connectLive } from './live';
import { formatters } from './format';
import { DICTIONARIES, PROVINCES, type Lang } from './i18n';
import {
  renderAgenda,
  renderCards,
  renderExpiring,
  renderHarmonisation,
  renderLoadingCards,
  renderReleases,
  renderSla,
  renderTicketsByPriority,
  renderTicketsByStatus,
  renderTrend,
  type ViewContext,
} from './view';

const TOKEN_KEY = 'poi-dashboard.token';
const LANG_KEY = 'poi-dashboard.lang';
const DEFAULT_REFRESH_SECONDS = 60;
/** How long the page waits after a change for more before it refreshes: one refresh for a burst. */
const LIVE_DEBOUNCE_MS = 300;

// Chart.js loads while the data is on its way; the cards never wait for it.
const chartsModule = import('./charts');

const params = new URLSearchParams(location.search);

function readRefresh(): number {
  const raw = params.get('refresh');
  if (raw === null || raw.trim() === '') return DEFAULT_REFRESH_SECONDS;
  const seconds = Number(raw);
  return Number.isFinite(seconds) && seconds >= 0 ? seconds : DEFAULT_REFRESH_SECONDS;
}

function readLang(): Lang {
  const wanted = params.get('lang') ?? safeStorage(() => localStorage.getItem(LANG_KEY));
  return wanted === 'en' ? 'en' : 'nl';
}

function safeStorage<T>(read: () => T): T | null {
  try {
    return read();
  } catch {
    return null; // storage disabled
  }
}

interface State {
  lang: Lang;
  province: string | null;
  token: string;
  refreshSeconds: number;
  loading: boolean;
  result: OverviewResult | null;
  variables: OverviewVariables | null;
  error: FetchError | null;
  updatedAt: Date | null;
  contractsOpen: boolean;
  /** Whether the live channel is open: the page then refreshes on changes, not on its timer. */
  live: boolean;
}

const state: State = {
  lang: readLang(),
  province: params.get('province') && params.get('province')! in PROVINCES ? params.get('province') : null,
  token: safeStorage(() => sessionStorage.getItem(TOKEN_KEY)) ?? '',
  refreshSeconds: readRefresh(),
  loading: true,
  result: null,
  variables: null,
  error: null,
  updatedAt: null,
  contractsOpen: false,
  live: false,
};

const isoLocalDay = (d: Date) => `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;

/** Today, and the first day of the month twelve months on: the twelve months of the agreements chart. */
function variables(): OverviewVariables {
  const now = new Date();
  return {
    province: state.province,
    today: isoLocalDay(now),
    until: isoLocalDay(new Date(now.getFullYear(), now.getMonth() + 12, 1)),
    expiringWithinDays: 180,
    months: 12,
  };
}

// ---------------------------------------------------------------- page skeleton

const app = document.getElementById('app')!;
const header = h('header', { class: 'top' });
const main = h('main', { id: 'main' });
const footer = h('footer', { class: 'foot' });
const statusLine = h('p', { id: 'status', role: 'status', 'aria-live': 'polite' });
const liveLine = h('p', { id: 'live' });
app.append(header, main, footer);

function renderHeader(): void {
  const t = DICTIONARIES[state.lang];
  document.documentElement.lang = state.lang;
  document.title = t.title;
  const province = on(
    h(
      'select',
      { id: 'province', name: 'province' },
      h('option', { value: '' }, t.allProvinces),
      Object.entries(PROVINCES).map(([code, name]) => h('option', { value: code, ...(code === state.province ? { selected: true } : {}) }, name)),
    ),
    'change',
    (event) => {
      state.province = (event.target as HTMLSelectElement).value || null;
      const url = new URL(location.href);
      if (state.province) url.searchParams.set('province', state.province);
      else url.searchParams.delete('province');
      history.replaceState(null, '', url);
      void refresh();
    },
  );
  const token = on(
    h('input', { id: 'token', name: 'token', type: 'password', autocomplete: 'off', placeholder: t.tokenPlaceholder, value: state.token }),
    'change',
    (event) => {
      state.token = (event.target as HTMLInputElement).value.trim();
      safeStorage(() => (state.token ? sessionStorage.setItem(TOKEN_KEY, state.token) : sessionStorage.removeItem(TOKEN_KEY)));
      void refresh();
      goLive();
    },
  );
  const langButton = on(h('button', { type: 'button', id: 'lang', class: 'link', lang: state.lang === 'nl' ? 'en' : 'nl' }, t.otherLang), 'click', () => {
    state.lang = state.lang === 'nl' ? 'en' : 'nl';
    safeStorage(() => localStorage.setItem(LANG_KEY, state.lang));
    renderHeader();
    renderMain();
  });
  const refreshButton = on(h('button', { type: 'button', id: 'refresh' }, t.refresh), 'click', () => void refresh());
  header.replaceChildren(
    h('div', { class: 'brand' }, h('h1', {}, t.title), h('p', { class: 'subtitle' }, t.subtitle)),
    h(
      'div',
      { class: 'controls' },
      h('label', {}, h('span', {}, t.province), province),
      h('label', {}, h('span', {}, t.token), token),
      h('div', { class: 'refresh' }, refreshButton, h('div', { class: 'status' }, statusLine, liveLine)),
      langButton,
    ),
  );
  footer.replaceChildren(h('p', {}, t.footer));
  renderStatus();
}

function renderStatus(): void {
  const t = DICTIONARIES[state.lang];
  const f = formatters(state.lang);
  const auto = state.refreshSeconds > 0 ? '' : t.autoRefreshOff;
  const parts = [state.loading ? t.loading : state.updatedAt ? t.updatedAt(f.time(state.updatedAt)) : '', auto].filter(Boolean);
  statusLine.textContent = parts.join(' · ');
  statusLine.dataset.state = state.loading ? 'loading' : state.error ? 'error' : 'ready';
  // With auto-refresh on: live, or refreshing on the timer while the channel is down.
  liveLine.hidden = state.refreshSeconds <= 0;
  liveLine.textContent = state.live ? t.live : t.notLive(state.refreshSeconds);
  liveLine.dataset.live = String(state.live);
}

// ---------------------------------------------------------------- main content

let firstCardMarked = false;

function renderMain(): void {
  const t = DICTIONARIES[state.lang];
  const f = formatters(state.lang);
  const sections: Node[] = [];
  if (state.error) {
    sections.push(
      h(
        'section',
        { class: 'error', role: 'alert', 'data-state': 'error' },
        h('h2', {}, t[state.error.kind]),
        h('p', { class: 'error-detail' }, state.error.message),
        state.result ? h('p', {}, t.stale) : null,
        on(h('button', { type: 'button' }, t.retry), 'click', () => void refresh()),
      ),
    );
  }
  if (!state.result || !state.variables) {
    if (!state.error) sections.push(renderLoadingCards(t));
    main.replaceChildren(...sections);
    main.setAttribute('aria-busy', String(state.loading));
    return;
  }
  const ctx: ViewContext = {
    t,
    f,
    result: state.result,
    variables: state.variables,
    charts: [],
    contractsOpen: state.contractsOpen,
    onContractsToggle: (open) => (state.contractsOpen = open),
  };
  sections.push(
    renderCards(ctx),
    h('div', { class: 'pair' }, renderTicketsByStatus(ctx), renderTicketsByPriority(ctx)),
    renderTrend(ctx),
    renderSla(ctx),
    renderExpiring(ctx),
    renderHarmonisation(ctx),
    renderAgenda(ctx),
    renderReleases(ctx),
  );
  main.replaceChildren(...sections);
  main.setAttribute('aria-busy', String(state.loading));
  if (!firstCardMarked && main.querySelector('[data-poi]')) {
    firstCardMarked = true;
    performance.mark('dashboard:first-card');
  }
  void chartsModule.then(({ drawChart, releaseDetached }) => {
    releaseDetached();
    for (const { container, canvas, spec } of ctx.charts) {
      if (!canvas.isConnected) continue;
      drawChart(canvas, spec);
      container.dataset.state = 'ready';
    }
  });
}

// ---------------------------------------------------------------- refreshing

let timer: ReturnType<typeof setTimeout> | undefined;
let inFlight: AbortController | undefined;
let dueWhileHidden = false;

function schedule(): void {
  clearTimeout(timer);
  if (state.refreshSeconds <= 0 || state.live) return;
  timer = setTimeout(() => {
    if (document.hidden) dueWhileHidden = true;
    else void refresh();
  }, state.refreshSeconds * 1000);
}

document.addEventListener('visibilitychange', () => {
  if (!document.hidden && dueWhileHidden) {
    dueWhileHidden = false;
    void refresh();
  }
});

async function refresh(): Promise<void> {
  inFlight?.abort();
  const controller = new AbortController();
  inFlight = controller;
  clearTimeout(timer);
  state.loading = true;
  renderStatus();
  const vars = variables();
  try {
    const result = await fetchOverview(vars, state.token, controller.signal);
    if (controller.signal.aborted) return;
    state.result = result;
    state.variables = vars;
    state.error = null;
    state.updatedAt = new Date();
  } catch (error) {
    if (controller.signal.aborted) return;
    state.error = error instanceof FetchError ? error : new FetchError(String(error), 'unreachable');
  }
  state.loading = false;
  renderStatus();
  renderMain();
  schedule();
}

// ---------------------------------------------------------------- live

let stopLive: (() => void) | undefined;
let liveDebounce: ReturnType<typeof setTimeout> | undefined;

/** A change arrived: refresh once the burst is over (or when the page is shown again). */
function changed(): void {
  clearTimeout(liveDebounce);
  liveDebounce = setTimeout(() => {
    if (document.hidden) dueWhileHidden = true;
    else void refresh();
  }, LIVE_DEBOUNCE_MS);
}

/** (Re)opens the live channel with the current token; nothing with auto-refresh off. */
function goLive(): void {
  stopLive?.();
  stopLive = undefined;
  state.live = false;
  if (state.refreshSeconds <= 0) return;
  /** Whether the channel failed or dropped since it was last open: changes may have been missed. */
  let missed = false;
  stopLive = connectLive(state.token, {
    state: (live) => {
      state.live = live;
      renderStatus();
      // Back after a drop: catch up with what changed meanwhile. Dropped: the timer takes over.
      if (live && missed) changed();
      else if (!live && !state.loading) schedule();
      missed = !live;
    },
    change: changed,
  });
}

// The request first, then the page around it: the answer is on its way while the page draws.
void refresh();
goLive();
renderHeader();
renderMain();
