import './style.css';
import { ApiError, get, type RegionsResponse } from './api.js';
import {
  type AuthConfig,
  type Claims,
  claimsOf,
  completeCognitoSignIn,
  currentToken,
  signInWithCognito,
  signOut,
  storeToken,
} from './auth.js';
import { clearCharts, mountCharts } from './charts.js';
import { h } from './dom.js';
import { renderFleet } from './fleet-view.js';
import { renderHourOfDay } from './hour-of-day-view.js';
import { renderModels } from './models-view.js';
import { renderOverview } from './overview-view.js';
import { daysBefore, defaultPeriod, latestToday } from './period.js';
import { type LeaderboardState, renderStore, renderStores } from './stores-view.js';
import { renderTeams } from './teams-view.js';
import type { ViewContext } from './view-context.js';

/** Auto-refresh interval unless config.json sets `refreshSeconds`. */
const DEFAULT_REFRESH_SECONDS = 15;
let refreshMs = DEFAULT_REFRESH_SECONDS * 1000;
const main = document.getElementById('main') as HTMLElement;
const nav = document.getElementById('nav') as HTMLElement;
const who = document.getElementById('who') as HTMLElement;
const filters = document.getElementById('filters') as HTMLFormElement;

const today = () => latestToday();

const state = {
  ...defaultPeriod(),
  region: '',
  autoRefresh: true,
  leaderboard: { sort: 'lossPrevented', order: 'desc' } as LeaderboardState,
};
let renderSeq = 0;

async function loadConfig(): Promise<AuthConfig> {
  try {
    const response = await fetch('./config.json');
    if (response.ok) {
      const config = (await response.json()) as { auth: AuthConfig; refreshSeconds?: number };
      if (typeof config.refreshSeconds === 'number' && config.refreshSeconds > 0) {
        refreshMs = config.refreshSeconds * 1000;
      }
      return config.auth;
    }
  } catch {
    // fall through
  }
  return { kind: 'dev' };
}

function signInScreen(config: AuthConfig, message?: string): void {
  nav.replaceChildren();
  who.replaceChildren();
  filters.replaceChildren();
  if (config.kind === 'cognito') {
    main.replaceChildren(
      h(
        'section',
        { class: 'signin', 'data-state': 'signed-out' },
        h('h2', {}, 'Sign in'),
        message === undefined ? null : h('p', { class: 'error', role: 'alert' }, message),
        h(
          'button',
          { type: 'button', onclick: () => void signInWithCognito(config) },
          'Sign in with your company account',
        ),
      ),
    );
    return;
  }
  const input = h('textarea', {
    id: 'token',
    rows: 4,
    required: true,
    'aria-describedby': 'token-help',
  });
  const form = h(
    'form',
    { class: 'signin', 'data-state': 'signed-out' },
    h('h2', {}, 'Sign in to the local stack'),
    message === undefined ? null : h('p', { class: 'error', role: 'alert' }, message),
    h(
      'p',
      { id: 'token-help' },
      'Paste a token from the embedded stack’s dev issuer, e.g. ',
      h('code', {}, 'npm run token -- --role leadership'),
      ' or ',
      h('code', {}, 'npm run token -- --role store_manager --stores store-0001'),
      '.',
    ),
    h('label', { for: 'token' }, 'Token'),
    input,
    h('button', { type: 'submit' }, 'Sign in'),
  );
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    if (storeToken(input.value) === undefined)
      signInScreen(config, 'That is not a token with a role.');
    else void start(config);
  });
  main.replaceChildren(form);
}

/** The page around the views: the navigation, who is signed in, and the period filters. */
function renderChrome(claims: Claims, config: AuthConfig): void {
  renderNav(claims);
  renderWho(claims, config);
  renderFilters(claims);
}

/**
 * Overview, stores, fleet and models for everyone (a store manager's models view is its store);
 * teams for leadership, whose scope spans them.
 */
function renderNav(claims: Claims): void {
  const links: [string, string][] = [
    ['#/overview', 'Overview'],
    ['#/stores', 'Stores'],
    ['#/fleet', 'Fleet'],
  ];
  if (claims.role !== 'store_manager') links.push(['#/hour-of-day', 'Hour of day']);
  links.push(['#/models', 'Models']);
  if (claims.role === 'leadership') links.push(['#/teams', 'Teams']);
  nav.replaceChildren(
    ...links.map(([href, text]) =>
      h('a', { href, 'aria-current': location.hash.startsWith(href) ? 'page' : undefined }, text),
    ),
  );
}

/** The caller's role and scope, and a sign-out button. */
function renderWho(claims: Claims, config: AuthConfig): void {
  const scope =
    claims.role === 'leadership'
      ? 'Leadership: every store'
      : claims.role === 'region_manager'
        ? `Region manager: ${claims.regions.join(', ')}`
        : `Store manager: ${claims.stores.join(', ')}`;
  who.replaceChildren(
    h('span', { 'data-scope': claims.role }, scope),
    h(
      'button',
      {
        type: 'button',
        class: 'link',
        onclick: () => {
          signOut();
          signInScreen(config);
        },
      },
      'Sign out',
    ),
  );
}

/** The period (dates and presets), the region where the role has a choice, auto-refresh. */
function renderFilters(claims: Claims): void {
  const from = dateInput('from', state.from);
  const to = dateInput('to', state.to);
  const preset = (days: number, text: string) => presetButton(days, text, from, to);
  const region = regionControl(claims);
  const auto = h('input', { type: 'checkbox', id: 'auto', checked: state.autoRefresh });
  const controls: (Node | null)[] = [
    h('label', { for: 'from' }, 'From'),
    from,
    h('label', { for: 'to' }, 'To'),
    to,
    preset(7, '7 days'),
    preset(30, '30 days'),
    preset(90, '90 days'),
    region === null ? null : h('label', { for: 'region' }, 'Region'),
    region,
    h('button', { type: 'submit' }, 'Show'),
    h('label', { class: 'auto' }, auto, ' Auto-refresh'),
    h('span', { id: 'updated', class: 'updated', 'aria-live': 'off' }),
  ];
  filters.replaceChildren(...controls.filter((c): c is Node => c !== null));
  filters.onsubmit = (e) => {
    e.preventDefault();
    applyFilters(from, to, region);
  };
  auto.onchange = () => {
    state.autoRefresh = auto.checked;
  };
}

/** A date no later than the latest date any store can be in. */
function dateInput(id: 'from' | 'to', value: string): HTMLInputElement {
  return h('input', { type: 'date', id, value, max: today(), required: true });
}

/** Shows the last `days` days up to today, and puts them in the date inputs. */
function presetButton(
  days: number,
  text: string,
  from: HTMLInputElement,
  to: HTMLInputElement,
): HTMLButtonElement {
  return h(
    'button',
    {
      type: 'button',
      class: 'preset',
      onclick: () => {
        state.to = today();
        state.from = daysBefore(state.to, days - 1);
        from.value = state.from;
        to.value = state.to;
        void route();
      },
    },
    text,
  );
}

/**
 * None for a store manager (one scope: the API refuses a region on a store token). Leadership
 * and a region manager pick from a `<select>` filled from `GET /v1/regions`, the regions the
 * token may see: "All regions" only when the token sees every region (leadership), "All my
 * regions" for a region manager (its query without a region covers its regions). Until the
 * answer comes (or if it fails) the picker holds the region already chosen, so a link's
 * `?region=` keeps working.
 */
function regionControl(claims: Claims): HTMLSelectElement | null {
  if (claims.role === 'store_manager') return null;
  const select = h(
    'select',
    { id: 'region', 'data-state': 'loading' },
    h('option', { value: '' }, claims.role === 'leadership' ? 'All regions' : 'All my regions'),
    state.region === '' ? null : h('option', { value: state.region, selected: true }, state.region),
  );
  void fillRegions(select, claims);
  return select;
}

/** Fills the picker from the API; keeps the chosen region listed even if the API omits it. */
async function fillRegions(select: HTMLSelectElement, claims: Claims): Promise<void> {
  try {
    const r = await get<RegionsResponse>('/v1/regions');
    const names = r.regions.map((x) => x.region);
    if (state.region !== '' && !names.includes(state.region)) names.unshift(state.region);
    const count = new Map(r.regions.map((x) => [x.region, x.stores]));
    select.replaceChildren(
      h(
        'option',
        { value: '' },
        r.all ? 'All regions' : claims.role === 'leadership' ? 'Pick a region' : 'All my regions',
      ),
      ...names.map((name) => {
        const stores = count.get(name);
        const label =
          stores === undefined ? name : `${name} (${stores} ${stores === 1 ? 'store' : 'stores'})`;
        return h('option', { value: name, selected: name === state.region }, label);
      }),
    );
    select.dataset.state = r.truncated ? 'truncated' : 'ready';
  } catch {
    select.dataset.state = 'error';
  }
}

/** Takes the filters into `state` and shows them, or says why a period is not one. */
function applyFilters(
  from: HTMLInputElement,
  to: HTMLInputElement,
  region: HTMLSelectElement | null,
): void {
  if (from.value > to.value) {
    showError(
      new ApiError(
        400,
        'The period starts after it ends',
        'Pick a "from" date on or before the "to" date.',
      ),
    );
    return;
  }
  state.from = from.value;
  state.to = to.value;
  state.region = region?.value.trim() ?? '';
  void route();
}

function showError(error: unknown): void {
  const e =
    error instanceof ApiError ? error : new ApiError(0, 'Something went wrong', String(error));
  const text =
    e.status === 403
      ? 'Your role does not give access to this. Pick something within your scope.'
      : (e.detail ?? '');
  main.setAttribute('aria-busy', 'false');
  main.replaceChildren(
    h(
      'section',
      { class: 'error', role: 'alert', 'data-state': 'error', 'data-status': e.status },
      h('h2', {}, e.title),
      text === '' ? null : h('p', {}, text),
      h('button', { type: 'button', onclick: () => void route() }, 'Try again'),
    ),
  );
}

/**
 * Shows the view the address names, for the period and region in `state`. `quiet` (the
 * auto-refresh) keeps the current view up until the new one is ready and shows no error.
 */
async function route(quiet = false): Promise<void> {
  const token = currentToken();
  const claims = token === undefined ? undefined : claimsOf(token);
  if (claims === undefined) {
    signInScreen(await loadConfig());
    return;
  }
  const seq = ++renderSeq;
  const hash = readAddress();
  markCurrentLink(hash);
  const ctx: ViewContext = { claims, from: state.from, to: state.to, region: state.region };
  if (!quiet) showLoading();
  try {
    const view = await renderView(hash, ctx);
    if (seq !== renderSeq) return; // a newer render started meanwhile
    showView(view);
  } catch (error) {
    if (seq !== renderSeq) return;
    if (error instanceof ApiError && error.status === 401) {
      signInScreen(await loadConfig(), error.message);
      return;
    }
    if (!quiet) showError(error);
  }
}

/**
 * The view's path in the address; a period and region it carries (`#/stores?from=...&to=...`,
 * e.g. from the MCP server's answers) go into `state` and the filter inputs.
 */
function readAddress(): string {
  const [hash = '#/overview', search] = (location.hash || '#/overview').split('?');
  if (search !== undefined) {
    const params = new URLSearchParams(search);
    state.from = params.get('from') ?? state.from;
    state.to = params.get('to') ?? state.to;
    state.region = params.get('region') ?? state.region;
    for (const [id, value] of [
      ['from', state.from],
      ['to', state.to],
      ['region', state.region],
    ] as const) {
      const input = document.getElementById(id) as HTMLInputElement | null;
      if (input !== null) input.value = value;
    }
  }
  return hash;
}

/** Marks the navigation link of the view shown as the current page. */
function markCurrentLink(hash: string): void {
  for (const a of nav.querySelectorAll('a')) {
    if (hash.startsWith(a.getAttribute('href') ?? '')) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
}

function showLoading(): void {
  main.setAttribute('aria-busy', 'true');
  main.replaceChildren(h('p', { class: 'loading', 'data-state': 'loading' }, 'Loading…'));
}

/** The view for `hash`: a store, the leaderboard, teams (leadership only), else the overview. */
function renderView(hash: string, ctx: ViewContext): Promise<HTMLElement> {
  const store = /^#\/stores\/(.+)$/.exec(hash)?.[1];
  if (store !== undefined) return renderStore(ctx, decodeURIComponent(store));
  if (hash.startsWith('#/stores')) return renderStores(ctx, state.leaderboard, () => void route());
  if (hash.startsWith('#/teams') && ctx.claims.role === 'leadership') return renderTeams(ctx);
  if (hash.startsWith('#/fleet')) return renderFleet(ctx);
  if (hash.startsWith('#/hour-of-day')) return renderHourOfDay(ctx);
  if (hash.startsWith('#/models')) return renderModels(ctx);
  return renderOverview(ctx);
}

/** Puts a rendered view in the page and draws its charts. */
function showView(view: HTMLElement): void {
  // Keep what the reader opened ("Show as table") across a refresh.
  const open = new Set(
    [...main.querySelectorAll('details[open]')].map((d) =>
      d.closest('[data-chart]')?.getAttribute('data-chart'),
    ),
  );
  clearCharts();
  main.replaceChildren(view);
  mountCharts();
  for (const d of main.querySelectorAll('details')) {
    if (open.has(d.closest('[data-chart]')?.getAttribute('data-chart'))) d.open = true;
  }
  main.setAttribute('aria-busy', 'false');
  const updated = document.getElementById('updated');
  if (updated !== null) updated.textContent = `Updated ${new Date().toLocaleTimeString('en-GB')}`;
}

async function start(config: AuthConfig): Promise<void> {
  const token = currentToken();
  const claims = token === undefined ? undefined : claimsOf(token);
  if (claims === undefined) {
    signInScreen(config);
    return;
  }
  renderChrome(claims, config);
  await route();
}

async function boot(): Promise<void> {
  const config = await loadConfig();
  if (config.kind === 'cognito') {
    try {
      await completeCognitoSignIn(config);
    } catch (error) {
      signInScreen(config, error instanceof Error ? error.message : String(error));
      return;
    }
  }
  window.addEventListener('hashchange', () => void route());
  setInterval(() => {
    if (
      state.autoRefresh &&
      document.visibilityState === 'visible' &&
      currentToken() !== undefined
    ) {
      void route(true);
    }
  }, refreshMs);
  await start(config);
}

void boot();
