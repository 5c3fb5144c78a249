// The staff client of the ILL network. It speaks only the GraphQL API of
// this server (`/graphql`, `/graphql/ws`), signed in with the session
// cookie that `POST /session` sets. Pages are hash routes, so a reload or a
// bookmark lands on the same page and the server serves a single document.
// Every text from the server goes into the page as text, never as markup.
'use strict';

// ---------------------------------------------------------------------------
// Labels
// ---------------------------------------------------------------------------

const STATUS = {
  REQUESTED: 'Requested', CONDITIONAL: 'Conditions proposed', WILL_SUPPLY: 'Will supply',
  SHIPPED: 'Shipped', RECEIVED: 'Received', CHECKED_OUT: 'Checked out',
  RETURNED_BY_PATRON: 'Returned by patron', RETURN_SHIPPED: 'Return shipped',
  COMPLETED: 'Completed', DELIVERED: 'Delivered', UNFILLED: 'Unfilled',
  CANCELLED: 'Cancelled', LOST: 'Lost',
};
const ENDED = ['COMPLETED', 'DELIVERED', 'UNFILLED', 'CANCELLED', 'LOST'];
const REASONS = {
  NOT_HELD: 'Not held', NOT_ON_SHELF: 'Not on shelf', NON_CIRCULATING: 'Non-circulating',
  POOR_CONDITION: 'Poor condition', POLICY_PROBLEM: 'Policy problem',
  NOT_AVAILABLE_FOR_ILL: 'Not available for ILL', OTHER: 'Other',
};
const CONDITIONS = {
  LIBRARY_USE_ONLY: 'Library use only', WATCH_LIBRARY_USE_ONLY: 'Watch library use only',
  NO_REPRODUCTION: 'No reproduction', SIGNATURE_REQUIRED: 'Signature required',
  SPEC_COLL_SUPERVISION_REQUIRED: 'Special collections supervision required',
};
const OUTCOMES = {
  PENDING: 'Not asked yet', WAITING: 'Asked, waiting', DECLINED: 'Declined', TIMED_OUT: 'Did not answer',
  SKIPPED: 'Skipped', REJECTED: 'Conditions rejected', SUPPLYING: 'Supplying',
};

// The mutations a request page offers, by the side they are for, in the
// order a person meets them, with the fields each needs (`note` and `text`
// come from the panel's one note field). `actions` on the request says
// which apply.
const ACTIONS = [
  { name: 'willSupply', side: 'lender', label: 'Will supply', fields: ['note'] },
  { name: 'ship', side: 'lender', label: 'Ship', fields: ['dueDate', 'note'] },
  { name: 'deliverCopy', side: 'lender', label: 'Deliver copy', fields: ['note'] },
  { name: 'proposeConditions', side: 'lender', label: 'Propose a condition', fields: ['condition', 'note'], secondary: true },
  { name: 'decline', side: 'lender', label: 'Decline', fields: ['reason', 'note'], danger: true },
  { name: 'acceptConditions', side: 'borrower', label: 'Accept the condition', fields: [] },
  { name: 'rejectConditions', side: 'borrower', label: 'Reject the condition', fields: ['note'], secondary: true },
  { name: 'receive', side: 'borrower', label: 'Receive', fields: [] },
  { name: 'checkOutToPatron', side: 'borrower', label: 'Check out to patron', fields: [] },
  { name: 'returnFromPatron', side: 'borrower', label: 'Returned by patron', fields: [] },
  { name: 'shipReturn', side: 'borrower', label: 'Ship back', fields: [] },
  { name: 'checkIn', side: 'lender', label: 'Check in', fields: [] },
  { name: 'requestRenewal', side: 'borrower', label: 'Ask for a renewal', fields: ['until'], secondary: true },
  { name: 'answerRenewal', side: 'lender', label: 'Answer the renewal', fields: ['approve', 'newDueDate'] },
  { name: 'recall', side: 'lender', label: 'Recall', fields: ['recallDueDate', 'note'], secondary: true },
  { name: 'answerCancel', side: 'lender', label: 'Answer the cancellation', fields: ['approve', 'note'] },
  { name: 'reroute', side: 'borrower', label: 'Send to other lenders', fields: ['lenders'] },
  { name: 'updateNeededBy', side: 'borrower', label: 'Change the needed-by date', fields: ['neededBy'], secondary: true },
  { name: 'cancel', side: 'borrower', label: 'Cancel the request', fields: ['note'], danger: true },
  { name: 'declareLost', side: 'either', label: 'Declare lost', fields: ['note'], danger: true },
  { name: 'addNote', side: 'either', label: 'Add note', fields: ['text'], secondary: true },
];
const SIDES = { lender: 'For the lender', borrower: 'For the borrowing library', either: 'For either side' };
const ARGUMENT_TYPES = {
  note: 'String', dueDate: 'Date!', condition: 'LoanCondition!', reason: 'UnfilledReason!',
  until: 'Date', approve: 'Boolean!', newDueDate: 'Date', lenders: '[ID!]!', text: 'String!',
  recallDueDate: 'Date', neededBy: 'Date',
};
const COMPLIANCE = {
  CCG: 'CCG: within the CONTU guidelines (counted)', CCL: 'CCL: under copyright law (fair use, section 108)',
  OTHER: 'OTHER: permission or licence',
};

// ---------------------------------------------------------------------------
// DOM and formatting helpers
// ---------------------------------------------------------------------------

const $ = (selector, root = document) => root.querySelector(selector);

/** Builds an element; children are nodes or text (never parsed as HTML). */
function h(tag, attributes, ...children) {
  const element = document.createElement(tag);
  for (const [key, value] of Object.entries(attributes || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key.startsWith('on')) element.addEventListener(key.slice(2), value);
    else if (key === 'class') element.className = value;
    else if (key === 'value') element.value = value;
    else if (value === true) element.setAttribute(key, '');
    else element.setAttribute(key, value);
  }
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    element.append(child instanceof Node ? child : String(child));
  }
  return element;
}

let fieldCounter = 0;
/** A labelled form field; `control` gets a fresh id tied to the label. */
function field(label, control, hint) {
  const id = control.id || `f${++fieldCounter}`;
  control.id = id;
  return h('div', { class: 'field' },
    h('label', { for: id }, label, hint ? h('span', { class: 'hint' }, ` (${hint})`) : null),
    control);
}

function options(map, placeholder) {
  return [
    placeholder ? h('option', { value: '' }, placeholder) : null,
    Object.entries(map).map(([value, label]) => h('option', { value }, label)),
  ];
}

// Every time on every page in one format, in the network's time zone (the
// server names it on the page), whatever the workstation's zone; calendar
// dates (due, needed by) as the same day.
const TIME_ZONE = document.documentElement.dataset.timeZone || 'UTC';
const TIME_FORMAT = new Intl.DateTimeFormat('en-US', {
  timeZone: TIME_ZONE, year: 'numeric', month: 'short', day: 'numeric',
  hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZoneName: 'short',
});
const DATE_FORMAT = new Intl.DateTimeFormat('en-US', {
  timeZone: 'UTC', year: 'numeric', month: 'short', day: 'numeric',
});
const dateTime = (iso) => iso ? TIME_FORMAT.format(new Date(iso)) : '';
const date = (iso) => iso ? DATE_FORMAT.format(new Date(`${iso}T12:00:00Z`)) : '';
// The server's clock and the network's date, read at sign-in: ages and
// default dates do not depend on the workstation's clock.
const clock = { offset: 0, today: null };
function setClock(now, today) {
  clock.offset = new Date(now).getTime() - Date.now();
  clock.today = today;
}
const serverNow = () => Date.now() + clock.offset;
function age(iso) {
  const days = Math.floor((serverNow() - new Date(iso).getTime()) / 86400000);
  if (days < 1) return 'today';
  return days === 1 ? '1 day' : `${days} days`;
}
/** The network's date `offsetDays` from today, as YYYY-MM-DD. */
function isoDate(offsetDays) {
  const d = clock.today ? new Date(`${clock.today}T12:00:00Z`) : new Date();
  d.setUTCDate(d.getUTCDate() + offsetDays);
  return d.toISOString().slice(0, 10);
}
const libraryLabel = (library) => library ? `${library.name} (${library.id})` : '—';
/** A library by name, its symbol on hover (the directory once loaded). */
function libraryName(id) {
  const known = directory && directory.find((l) => l.id === id);
  return h('span', { class: 'library', title: id, 'data-library': id }, known ? known.name : id);
}
const humanize = (type) => type.replace(/([a-z])([A-Z])/g, '$1 $2');

function statusBadge(status) {
  const kind = status === 'LOST' ? 'lost' : ENDED.includes(status) ? 'done' : '';
  return h('span', { class: `badge status ${kind}`, 'data-status': status }, STATUS[status] || status);
}

/** The answer the request waits for is past its answer-by time. */
const answerLate = (request) => !!request.respondBy && new Date(request.respondBy).getTime() < serverNow();

function flagBadges(request) {
  return [
    answerLate(request) ? h('span', { class: 'badge overdue answer-late' }, 'Overdue for an answer') : null,
    request.overdue ? h('span', { class: 'badge overdue' }, 'Overdue') : null,
    request.recalled ? h('span', { class: 'badge recalled' }, 'Recalled') : null,
    request.renewalPending ? h('span', { class: 'badge pending' }, 'Renewal asked') : null,
    request.cancelPending ? h('span', { class: 'badge pending' }, 'Cancel asked') : null,
  ];
}

function newId() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const hex = [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

// ---------------------------------------------------------------------------
// The API
// ---------------------------------------------------------------------------

class ApiError extends Error {
  constructor(code, message) {
    super(message);
    this.code = code;
  }
}

let viewer = null;
let directory = null;

async function gql(query, variables = {}) {
  let response;
  try {
    response = await fetch('/graphql', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      credentials: 'same-origin',
      body: JSON.stringify({ query, variables }),
    });
  } catch (_) {
    throw new ApiError('NETWORK', 'The server cannot be reached. Check the connection and try again.');
  }
  const body = await response.json().catch(() => null);
  if (!body) throw new ApiError('INTERNAL', `The server answered ${response.status}.`);
  if (body.errors && body.errors.length) {
    const error = body.errors[0];
    const code = (error.extensions && error.extensions.code) || 'INTERNAL';
    if (code === 'UNAUTHENTICATED') signedOut(viewer !== null);
    throw new ApiError(code, error.message);
  }
  return body.data;
}

/** The session is gone (expired, or never was): back to sign-in, then here. */
function signedOut(expired) {
  viewer = null;
  directory = null;
  stopLive();
  const here = location.hash.startsWith('#/sign-in') ? '' : location.hash;
  const params = new URLSearchParams();
  if (expired) params.set('expired', '1');
  if (here) params.set('next', here);
  location.hash = `#/sign-in?${params}`;
}

async function libraries() {
  if (!directory) directory = (await gql('{ libraries { id name lends suspended closures { from to reason } } }')).libraries;
  return directory;
}

/** A library's closures as people read them, e.g. "closed 24 Dec – 1 Jan (holidays)". */
function closuresText(library) {
  return (library && library.closures || []).map((c) =>
    `closed ${date(c.from)}${c.to !== c.from ? ` – ${date(c.to)}` : ''}${c.reason ? ` (${c.reason})` : ''}`).join('; ');
}

const isNetwork = () => viewer && (viewer.role === 'COORDINATOR' || viewer.role === 'ADMIN');

// ---------------------------------------------------------------------------
// Live queue updates (graphql-transport-ws)
// ---------------------------------------------------------------------------

let live = null;

function startLive(library, side, onChange) {
  stopLive();
  const state = { closed: false, socket: null, retry: null };
  live = state;
  const open = () => {
    const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
    const socket = new WebSocket(`${scheme}://${location.host}/graphql/ws`, 'graphql-transport-ws');
    state.socket = socket;
    socket.onopen = () => socket.send(JSON.stringify({ type: 'connection_init', payload: {} }));
    socket.onmessage = (message) => {
      const frame = JSON.parse(message.data);
      if (frame.type === 'connection_ack') {
        socket.send(JSON.stringify({
          id: 'queue', type: 'subscribe',
          payload: {
            query: 'subscription($library: ID!, $side: QueueSide!) { queueChanged(library: $library, side: $side) { requestId status inQueue } }',
            variables: { library, side },
          },
        }));
        document.body.dataset.live = 'on';
      } else if (frame.type === 'next' && frame.payload.data) {
        onChange(frame.payload.data.queueChanged);
      } else if (frame.type === 'ping') {
        socket.send(JSON.stringify({ type: 'pong' }));
      }
    };
    socket.onclose = () => {
      document.body.dataset.live = 'off';
      if (!state.closed) state.retry = setTimeout(open, 2000);
    };
  };
  open();
}

function stopLive() {
  if (!live) return;
  live.closed = true;
  clearTimeout(live.retry);
  if (live.socket) live.socket.close();
  live = null;
  delete document.body.dataset.live;
}

// ---------------------------------------------------------------------------
// Routing and the page frame
// ---------------------------------------------------------------------------

// Every navigation starts a new generation. A page that awaited the server
// draws only if no later navigation began meanwhile: a slow answer for the
// page someone left must not cover the page they went to.
let generation = 0;
function current() {
  const mine = generation;
  return () => mine === generation;
}

function parseHash() {
  const raw = location.hash.replace(/^#/, '') || '/';
  const [path, query] = raw.split('?');
  return { parts: path.split('/').filter(Boolean), params: new URLSearchParams(query || '') };
}

function notify(message) {
  const notice = $('#notice');
  notice.textContent = message;
  clearTimeout(notify.timer);
  notify.timer = setTimeout(() => { notice.textContent = ''; }, 6000);
}

function show(title, ...content) {
  document.title = `${title} · ILL staff`;
  const main = $('#main');
  main.replaceChildren(...content.flat().filter((node) => node !== null && node !== undefined));
  const heading = $('h1', main);
  if (heading) {
    heading.tabIndex = -1;
    heading.focus({ preventScroll: true });
  }
}

function failure(error) {
  return h('div', { class: 'alert error', role: 'alert' }, error.message);
}

/** The page an address asks for does not exist (edited by hand, or an old
 *  bookmark): say so in words, with the way back. */
function addressProblem(what) {
  show('No such page', h('h1', {}, 'No such page'),
    h('div', { class: 'alert warn', role: 'alert', id: 'address-problem' },
      `This address does not lead to a page: ${what}. It may have been changed by hand or be from an old bookmark.`),
    h('p', {}, h('a', { href: '#/queue/lending' }, 'Go to the lending queue'), ' · ',
      h('a', { href: '#/queue/borrowing' }, 'Go to the borrowing queue')));
}

function renderFrame(current) {
  $('#top').hidden = false;
  const links = [
    ['#/queue/borrowing', 'Borrowing', 'borrowing'],
    ['#/queue/lending', 'Lending', 'lending'],
    ['#/place', 'Place a request', 'place'],
    ['#/print/form', 'Offline form', 'form'],
    ['#/copyright', 'Copyright', 'copyright'],
    ['#/imports', 'Holdings imports', 'imports'],
    isNetwork() ? ['#/coordinator', 'Coordinator', 'coordinator'] : null,
    isNetwork() ? ['#/accounts', 'Accounts', 'accounts'] : null,
    ['/stats', 'Statistics', 'stats'],
  ].filter(Boolean);
  $('#nav').replaceChildren(...links.map(([href, label, key]) =>
    h('li', {}, h('a', { href, 'aria-current': key === current ? 'page' : null }, label))));
  $('#who').replaceChildren(
    h('span', { id: 'viewer' }, `${viewer.name} · ${viewer.library.id}`,
      viewer.role !== 'STAFF' ? ` · ${viewer.role.toLowerCase()}` : ''),
    h('button', { type: 'button', id: 'sign-out', onclick: signOut }, 'Sign out'));
}

async function route() {
  generation += 1;
  const { parts, params } = parseHash();
  stopLive();
  if (parts[0] === 'sign-in') {
    $('#top').hidden = true;
    return signInPage(params);
  }
  if (!viewer) {
    try {
      const data = await gql('{ me { name role library { id name } } now today }');
      setClock(data.now, data.today);
      viewer = data.me;
    } catch (error) {
      if (error.code !== 'UNAUTHENTICATED') show('Error', failure(error));
      return;
    }
  }
  try {
    switch (parts[0]) {
      case 'queue': return await queuePage(parts[1] === 'borrowing' ? 'BORROWING' : 'LENDING', params);
      case 'request': return await requestPage(parts[1]);
      case 'place': return await placePage();
      case 'print': return parts[1] === 'slip' ? await slipPage(parts[2]) : blankFormPage();
      case 'coordinator': return await coordinatorPage();
      case 'imports': return await importsPage();
      case 'copyright': return await copyrightPage(params);
      case 'accounts': return await accountsPage(params);
      default: location.replace('#/queue/lending');
    }
  } catch (error) {
    if (error.code === 'UNAUTHENTICATED') return;
    // The server refused what the address asked for: not a fault of the page.
    if (error.code === 'BAD_INPUT') addressProblem('the server does not know what it asks for');
    else show('Error', failure(error));
  }
}

// ---------------------------------------------------------------------------
// Sign in and out
// ---------------------------------------------------------------------------

function signInPage(params) {
  document.body.dataset.page = 'sign-in';
  const message = h('div', { id: 'sign-in-message', role: 'alert' });
  if (params.get('expired')) {
    message.className = 'alert warn';
    message.textContent = 'Your session has ended. Sign in again to go on.';
  }
  const library = h('input', { name: 'library', id: 'library', autocomplete: 'organization', required: true, autocapitalize: 'characters' });
  const name = h('input', { name: 'name', id: 'name', autocomplete: 'username', required: true });
  const password = h('input', { name: 'password', id: 'password', type: 'password', autocomplete: 'current-password', required: true });
  const submit = h('button', { type: 'submit' }, 'Sign in');
  const form = h('form', { class: 'card sign-in', id: 'sign-in', onsubmit: async (event) => {
    event.preventDefault();
    submit.disabled = true;
    try {
      const response = await fetch('/session', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        credentials: 'same-origin',
        body: JSON.stringify({ library: library.value, name: name.value, password: password.value }),
      });
      const body = await response.json().catch(() => ({}));
      if (!response.ok) {
        message.className = 'alert error';
        message.textContent = body.error || `Signing in failed (${response.status}).`;
        password.value = '';
        password.focus();
        return;
      }
      viewer = null;
      const next = params.get('next');
      if (next && next.startsWith('/')) location.assign(next);
      else location.hash = next && next.startsWith('#/') ? next : '#/queue/lending';
    } catch (_) {
      message.className = 'alert error';
      message.textContent = 'The server cannot be reached. Check the connection and try again.';
    } finally {
      submit.disabled = false;
    }
  } },
  h('h1', {}, 'Sign in to ILL'),
  message,
  field('Library symbol', library, 'e.g. CT-HFD'),
  field('Account name', name),
  field('Password', password),
  h('p', {}, submit));
  show('Sign in', form);
  library.focus();
}

async function signOut() {
  await fetch('/session', { method: 'DELETE', credentials: 'same-origin' }).catch(() => null);
  viewer = null;
  directory = null;
  stopLive();
  location.hash = '#/sign-in';
}

// ---------------------------------------------------------------------------
// Queues
// ---------------------------------------------------------------------------

const QUEUE_QUERY = `
query Queue($library: ID!, $side: QueueSide!, $status: [RequestStatus!], $order: QueueOrder, $after: String, $borrowing: Boolean!) {
  queueCounts(library: $library, side: $side) { status count }
  queue(library: $library, side: $side, status: $status, orderBy: $order, first: 50, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { node {
      id status serviceType placedAt updatedAt respondBy dueDate neededBy overdue recalled renewalPending cancelPending
      item { title author }
      borrower { id name }
      lender { id name }
      patron @include(if: $borrowing) { barcode }
    } }
  }
}`;

// The server's orders. Where something must be answered (the open requests,
// and those waiting for an answer), what is due soonest comes first.
const ORDERS = {
  'answer-by': { label: 'Answer due first', value: 'RESPOND_BY' },
  updated: { label: 'Oldest change first', value: 'UPDATED' },
};
const defaultOrder = (status) => (!status || status === 'REQUESTED' || status === 'CONDITIONAL' ? 'answer-by' : 'updated');

// Sorting of the loaded rows by a column, on top of the server's order.
const SORTS = {
  updated: { label: 'Last change', key: (r) => r.updatedAt },
  answer: { label: 'Answer by', key: (r) => r.respondBy || '9999' },
  title: { label: 'Title', key: (r) => r.item.title.toLowerCase() },
  age: { label: 'Age', key: (r) => r.placedAt },
  due: { label: 'Due', key: (r) => r.dueDate || '9999' },
  needed: { label: 'Needed by', key: (r) => r.neededBy || '9999' },
  status: { label: 'Status', key: (r) => Object.keys(STATUS).indexOf(r.status) },
};

async function queuePage(side, params) {
  const borrowing = side === 'BORROWING';
  const sideName = borrowing ? 'borrowing' : 'lending';
  document.body.dataset.page = `queue-${sideName}`;
  renderFrame(sideName);
  const live = current();
  const library = (isNetwork() && params.get('library')) || viewer.library.id;
  const status = params.get('status') ? params.get('status').toUpperCase() : null;
  if (status && !STATUS[status]) {
    addressProblem(`there is no status “${params.get('status')}”`);
    return;
  }
  if (isNetwork() && !(await libraries()).some((l) => l.id === library)) {
    if (live()) addressProblem(`there is no library “${library}”`);
    return;
  }
  const order = ORDERS[params.get('order')] ? params.get('order') : defaultOrder(status);
  const sort = SORTS[params.get('sort')] ? params.get('sort') : null;
  const link = (changes) => {
    const next = new URLSearchParams(params);
    for (const [key, value] of Object.entries(changes)) {
      if (value) next.set(key, value); else next.delete(key);
    }
    const query = next.toString();
    return `#/queue/${sideName}${query ? `?${query}` : ''}`;
  };
  const variables = { library, side, status: status ? [status] : null, order: ORDERS[order].value, after: null, borrowing };
  let rows = [];
  let page = null;
  let counts = [];
  const fresh = new Set();
  const filter = h('input', { type: 'search', id: 'queue-filter', placeholder: 'Title, author, barcode, library, id' });
  const orderChoice = h('select', { id: 'queue-order', onchange: () => {
    location.hash = link({ order: orderChoice.value === defaultOrder(status) ? null : orderChoice.value });
  } }, Object.entries(ORDERS).map(([key, o]) => h('option', { value: key, selected: key === order }, o.label)));
  const tableHolder = h('div', { id: 'queue-table' });
  const more = h('p', {});
  const tabs = h('ul', { class: 'tabs', id: 'status-tabs', 'aria-label': 'Statuses' });
  const total = h('p', { class: 'muted', id: 'queue-total' });

  const load = async (append) => {
    const data = await gql(QUEUE_QUERY, { ...variables, after: append ? page.pageInfo.endCursor : null });
    page = data.queue;
    counts = data.queueCounts;
    const loaded = page.edges.map((e) => e.node);
    rows = append ? rows.concat(loaded) : loaded;
  };
  const reloadAll = async () => {
    // As many rows as were on screen, so live updates do not cut the list.
    const wanted = Math.max(rows.length, 1);
    await load(false);
    while (rows.length < wanted && page.pageInfo.hasNextPage) await load(true);
  };

  const render = () => {
    const open = counts.filter((c) => !ENDED.includes(c.status)).reduce((sum, c) => sum + c.count, 0);
    tabs.replaceChildren(
      h('li', {}, h('a', { href: link({ status: null, order: null }), 'aria-current': status ? null : 'page', 'data-status': 'OPEN' },
        'Open ', h('span', { class: 'count' }, open))),
      ...counts.map((c) => h('li', {}, h('a', {
        href: link({ status: c.status, order: null }), 'aria-current': c.status === status ? 'page' : null, 'data-status': c.status,
      }, `${STATUS[c.status]} `, h('span', { class: 'count' }, c.count)))),
      // Ended requests leave the open queue; they stay one click away.
      ...ENDED.filter((s) => !counts.some((c) => c.status === s)).map((s) => h('li', {}, h('a', {
        href: link({ status: s, order: null }), 'aria-current': s === status ? 'page' : null, 'data-status': s, class: 'ended',
      }, STATUS[s]))));
    const needle = filter.value.trim().toLowerCase();
    const shown = rows.filter((r) => !needle || [
      r.id, r.item.title, r.item.author, r.patron && r.patron.barcode,
      r.borrower.id, r.borrower.name, r.lender && r.lender.id, r.lender && r.lender.name,
    ].some((v) => v && v.toLowerCase().includes(needle)));
    if (sort) {
      const key = SORTS[sort].key;
      shown.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
    }
    total.textContent = `${page.totalCount} ${page.totalCount === 1 ? 'request' : 'requests'}` +
      (rows.length < page.totalCount ? `, ${rows.length} loaded` : '') +
      (needle ? `, ${shown.length} match the filter` : '');
    const header = (name, label) => h('th', { scope: 'col', 'aria-sort': sort === name ? 'ascending' : null },
      SORTS[name] ? h('a', { href: link({ sort: name === sort ? null : name }) }, label) : label);
    tableHolder.replaceChildren(shown.length === 0
      ? h('p', { class: 'card', id: 'queue-empty' }, 'Nothing here.')
      : h('table', { class: 'queue' },
        h('thead', {}, h('tr', {},
          header('title', 'Title'),
          borrowing ? header('patron', 'Patron') : null,
          header('library', borrowing ? 'Lender' : 'Borrower'),
          header('status', 'Status'),
          header('age', 'Age'),
          header('answer', 'Answer by'),
          header('due', 'Due'),
          header('needed', 'Needed by'),
          header('updated', 'Last change'))),
        h('tbody', {}, shown.map((r) => h('tr', { 'data-id': r.id, class: fresh.has(r.id) ? 'fresh' : null },
          h('td', { 'data-label': 'Title' }, h('a', { href: `#/request/${r.id}` }, r.item.title),
            r.item.author ? h('div', { class: 'muted' }, r.item.author) : null,
            r.serviceType === 'COPY' ? h('span', { class: 'badge' }, 'Copy') : null),
          borrowing ? h('td', { 'data-label': 'Patron' }, r.patron ? r.patron.barcode : '—') : null,
          h('td', { 'data-label': borrowing ? 'Lender' : 'Borrower' }, libraryLabel(borrowing ? r.lender : r.borrower)),
          h('td', { 'data-label': 'Status' }, statusBadge(r.status), ' ', flagBadges(r)),
          h('td', { 'data-label': 'Age' }, age(r.placedAt)),
          h('td', { 'data-label': 'Answer by', class: 'answer-by' }, r.respondBy ? dateTime(r.respondBy) : '—'),
          h('td', { 'data-label': 'Due' }, date(r.dueDate)),
          h('td', { 'data-label': 'Needed by' }, date(r.neededBy)),
          h('td', { 'data-label': 'Last change' }, dateTime(r.updatedAt)))))));
    more.replaceChildren(page.pageInfo.hasNextPage
      ? h('button', { type: 'button', class: 'secondary', id: 'load-more', onclick: async (event) => {
        event.target.disabled = true;
        await load(true);
        render();
      } }, 'Load more')
      : '');
  };
  filter.addEventListener('input', render);

  await load(false);
  const libraryPicker = isNetwork() ? await libraryChooser(library, (id) => { location.hash = link({ library: id }); }) : null;
  if (!live()) return;
  show(`${borrowing ? 'Borrowing' : 'Lending'} · ${library}`,
    h('h1', {}, borrowing ? 'Borrowing' : 'Lending',
      h('span', { class: 'muted' }, ` · ${library}`)),
    h('div', { class: 'sides' },
      h('a', { href: `#/queue/borrowing${library !== viewer.library.id ? `?library=${library}` : ''}`, 'aria-current': borrowing ? 'page' : null }, 'Borrowing'),
      h('a', { href: `#/queue/lending${library !== viewer.library.id ? `?library=${library}` : ''}`, 'aria-current': borrowing ? null : 'page' }, 'Lending')),
    libraryPicker,
    tabs,
    h('div', { class: 'row queue-tools' }, field('Filter this list', filter), field('Order', orderChoice),
      h('span', { class: 'spacer' }), total),
    tableHolder,
    more);
  render();

  let pending = null;
  startLive(library, side, (change) => {
    fresh.add(change.requestId);
    clearTimeout(pending);
    pending = setTimeout(async () => {
      try {
        await reloadAll();
        render();
        notify('The queue was updated.');
      } catch (_) { /* the next change or a reload tries again */ }
    }, 200);
  });
}

async function libraryChooser(current, onPick) {
  const all = await libraries();
  const select = h('select', { id: 'library-picker', onchange: (event) => onPick(event.target.value) },
    all.map((l) => h('option', { value: l.id, selected: l.id === current }, libraryLabel(l))));
  return field('Library', select, 'coordinators see every library');
}

// ---------------------------------------------------------------------------
// A request
// ---------------------------------------------------------------------------

const REQUEST_FIELDS = `
  id version status serviceType neededBy dueDate overdue recalled renewalPending cancelPending condition
  placedAt updatedAt respondBy actions
  borrower { id name } lender { id name }
  rota { position outcome reason selection library { id name lends suspended } }
  item { title author isbn issn oclcNumber publisher year edition articleTitle pages catalogRecordId copyrightCompliance publicationYear }
  patron { barcode name email }
  history { sequence type at actor library role coordinatorReason data }`;

/** A page about one request: the request, or null once a refusal is shown
 *  (or a later navigation took over). */
async function requestFor(page, id) {
  document.body.dataset.page = page;
  renderFrame('');
  const live = current();
  // The directory names the libraries in the history.
  const [request] = await Promise.all([loadRequest(id), libraries()]);
  if (!live()) return null;
  if (!request) {
    refuse('Request not available',
      'There is no such request, or your library may not see it. Requests are visible only to the borrowing library and the libraries in its rota.');
  }
  return request;
}

function refuse(title, message) {
  show(title, h('h1', {}, title),
    h('div', { class: 'alert error', role: 'alert', id: 'refusal' }, message),
    h('p', {}, h('a', { href: '#/queue/lending' }, 'Back to the queues')));
}

async function requestPage(id) {
  const request = await requestFor('request', id);
  if (request) renderRequest(request);
}

async function loadRequest(id) {
  if (!/^[0-9a-f-]{36}$/i.test(id || '')) return null;
  return (await gql(`query($id: UUID!) { request(id: $id) { ${REQUEST_FIELDS} } }`, { id })).request;
}

function renderRequest(request, alert) {
  const item = request.item;
  const facts = (pairs) => h('dl', { class: 'facts' }, pairs.filter(([, v]) => v).map(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]));
  const notes = request.history.filter((e) => e.data && e.data.note);
  // An automatic rota's entries carry the reason each lender was chosen.
  const chosen = request.rota.some((entry) => entry.selection);
  show(item.title,
    h('h1', {}, item.title),
    alert || null,
    h('p', { class: 'row' }, statusBadge(request.status), flagBadges(request),
      h('span', { class: 'badge' }, request.serviceType === 'COPY' ? 'Copy' : 'Loan'),
      h('span', { class: 'muted', id: 'version' }, `version ${request.version}`),
      h('span', { class: 'spacer' }),
      h('a', { class: 'button secondary', href: `#/print/slip/${request.id}` }, 'Pull slip')),
    h('div', { class: 'columns' },
      h('div', {},
        h('section', { class: 'card' }, h('h2', {}, 'Item'), facts([
          ['Title', item.title], ['Author', item.author], ['Article', item.articleTitle], ['Pages', item.pages],
          ['ISBN', item.isbn], ['ISSN', item.issn], ['OCLC number', item.oclcNumber], ['Publisher', item.publisher],
          ['Year', item.year], ['Edition', item.edition], ['Catalog record', item.catalogRecordId],
          ['Published', item.publicationYear], ['Copyright', item.copyrightCompliance],
        ])),
        h('section', { class: 'card' }, h('h2', {}, 'Request'), facts([
          ['Request id', request.id], ['Borrower', libraryLabel(request.borrower)],
          ['Current lender', request.lender ? libraryLabel(request.lender) : null],
          ['Placed', dateTime(request.placedAt)],
          ['Answer by', request.respondBy
            ? h('span', { id: 'answer-by' }, dateTime(request.respondBy),
              ` (the ${request.status === 'CONDITIONAL' ? 'borrowing library' : 'lender'}'s answer)`)
            : null],
          ['Needed by', date(request.neededBy)],
          ['Due', date(request.dueDate)], ['Condition', request.condition ? CONDITIONS[request.condition] : null],
          ['Last change', dateTime(request.updatedAt)],
        ])),
        request.patron ? h('section', { class: 'card', id: 'patron' }, h('h2', {}, 'Patron'), facts([
          ['Barcode', request.patron.barcode], ['Name', request.patron.name], ['Email', request.patron.email],
        ])) : null,
        h('section', { class: 'card' }, h('h2', {}, 'Lenders'),
          h('table', { id: 'rota' },
            h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, '#'), h('th', { scope: 'col' }, 'Library'), h('th', { scope: 'col' }, 'Outcome'),
              chosen ? h('th', { scope: 'col' }, 'Chosen by the catalogue because') : null)),
            h('tbody', {}, request.rota.map((entry) => h('tr', { 'data-outcome': entry.outcome, 'data-library': entry.library.id },
              h('td', {}, entry.position),
              h('td', {}, libraryLabel(entry.library)),
              h('td', {}, OUTCOMES[entry.outcome], entry.reason ? ` — ${REASONS[entry.reason]}` : ''),
              chosen ? h('td', { class: 'selection' }, entry.selection || 'added by staff') : null)))))),
      h('div', {},
        h('section', { class: 'card actions', id: 'actions' }, h('h2', {}, 'What you can do'),
          actionForms(request)),
        notes.length ? h('section', { class: 'card', id: 'notes' }, h('h2', {}, 'Notes'),
          notes.map((e) => h('p', {}, h('strong', {}, e.actor, ' (', e.library ? libraryName(e.library) : 'system', '): '), e.data.note))) : null)),
    h('section', { class: 'card' }, h('h2', {}, 'History'),
      h('ol', { class: 'timeline', id: 'history' }, request.history.map((e) => h('li', { 'data-type': e.type },
        h('div', {}, h('strong', {}, humanize(e.type)), ' by ', e.actor,
          e.library ? [' (', libraryName(e.library), e.role && e.role !== 'STAFF' ? `, ${e.role.toLowerCase()}` : '', ')'] : ''),
        h('div', { class: 'when' }, dateTime(e.at), ` · #${e.sequence}`),
        e.coordinatorReason ? h('div', {}, 'Reason: ', e.coordinatorReason) : null,
        eventDetails(e.type, e.data))))));
}

// An event's fields in words: libraries by name, times and dates in the
// page's format, codes spelled out; ids and the item are shown elsewhere.
const SKIPPED = { suspended: 'lending suspended', not_lending: 'does not lend' };
const DECLARED_BY = { borrower: 'the borrowing library', lender: 'the lender' };
// A stored rota lists library ids ("1.0"), or `{lender, selection}` for an
// automatic one ("1.1"), whose selection says why the lender was chosen.
const rotaNames = (entries) => entries.flatMap((entry, i) => {
  const shown = typeof entry === 'string'
    ? [libraryName(entry)]
    : [libraryName(entry.lender), entry.selection ? h('span', { class: 'selection' }, ` (chosen because: ${entry.selection})`) : null];
  return i ? [', ', ...shown] : shown;
});
const EVENT_FIELDS = {
  lender: ['Lender', libraryName],
  rota: ['Rota', rotaNames],
  position: ['Rota position', String],
  respond_by: ['Answer by', dateTime],
  due_date: ['Due', date],
  until: ['Until', date],
  needed_by: ['Needed by', date],
  reason: ['Reason', (v) => REASONS[v] || v],
  condition: ['Condition', (v) => CONDITIONS[v] || v],
  why: ['Why', (v) => SKIPPED[v] || v],
  by: ['Declared by', (v) => DECLARED_BY[v] || v],
  service_type: ['Service', (v) => (String(v).toUpperCase() === 'COPY' ? 'Copy' : 'Loan')],
};
const HIDDEN_FIELDS = ['note', 'item', 'borrower'];

function eventDetails(type, data) {
  const parts = [];
  for (const [key, value] of Object.entries(data || {})) {
    if (value === null || HIDDEN_FIELDS.includes(key) || key.endsWith('_id') || key.endsWith('_ref')) continue;
    const known = EVENT_FIELDS[key];
    if (!known && typeof value === 'object') continue;
    const [label, words] = known || [key.replace(/_/g, ' '), String];
    // A reroute's rota is the new one.
    const shown = type === 'Rerouted' && key === 'rota' ? 'New rota' : label;
    parts.push(h('span', { 'data-field': key }, `${shown}: `, words(value)));
  }
  return parts.length
    ? h('div', { class: 'muted details' }, parts.flatMap((part, i) => (i ? [' · ', part] : [part])))
    : null;
}

/** The panel of what the viewer may do: one note field and (for
 *  coordinators) one reason for all actions, the actions grouped by the
 *  side they are for. */
function actionForms(request) {
  const permitted = ACTIONS.filter((a) => request.actions.includes(a.name));
  if (!permitted.length) return h('p', { class: 'muted', id: 'no-actions' }, 'Nothing for your library to do on this request now.');
  const takesNote = permitted.some((a) => a.fields.includes('note') || a.fields.includes('text'));
  const shared = {
    note: takesNote ? h('textarea', { name: 'note', id: 'action-note' }) : null,
    coordinatorReason: isNetwork() ? h('input', { name: 'coordinatorReason', id: 'coordinator-reason' }) : null,
  };
  const sideLibrary = { lender: request.lender, borrower: request.borrower };
  return [
    shared.note ? field('Note', shared.note, 'goes with the action you choose; needed to add a note') : null,
    shared.coordinatorReason ? field('Why (for the audit trail)', shared.coordinatorReason, 'needed for any action') : null,
    Object.entries(SIDES).map(([side, title]) => {
      const group = permitted.filter((a) => a.side === side);
      if (!group.length) return null;
      const library = sideLibrary[side];
      return h('section', { class: 'action-group', 'data-side': side },
        h('h3', {}, title, library ? [' · ', libraryName(library.id)] : null),
        group.map((action) => actionForm(request, action, shared)));
    }),
  ];
}

function actionForm(request, action, shared) {
  const controls = {};
  const inputs = action.fields.map((name) => {
    switch (name) {
      case 'dueDate': controls.dueDate = h('input', { type: 'date', name: 'dueDate', required: true, value: isoDate(28) }); return field('Due date', controls.dueDate);
      case 'recallDueDate': controls.recallDueDate = h('input', { type: 'date', name: 'dueDate' }); return field('New due date', controls.recallDueDate, 'optional');
      case 'neededBy': controls.neededBy = h('input', { type: 'date', name: 'neededBy', min: isoDate(0), value: request.neededBy || '' }); return field('Needed by', controls.neededBy, 'empty: no date');
      case 'until': controls.until = h('input', { type: 'date', name: 'until' }); return field('Until', controls.until, 'optional');
      case 'newDueDate': controls.newDueDate = h('input', { type: 'date', name: 'newDueDate' }); return field('New due date', controls.newDueDate, 'when approving');
      case 'condition': controls.condition = h('select', { name: 'condition', required: true }, options(CONDITIONS)); return field('Condition', controls.condition);
      case 'reason': controls.reason = h('select', { name: 'reason', required: true }, options(REASONS, 'Choose a reason')); return field('Reason', controls.reason, 'ISO 18626');
      case 'approve': controls.approve = h('select', { name: 'approve' }, h('option', { value: 'true' }, 'Approve'), h('option', { value: 'false' }, 'Refuse')); return field('Answer', controls.approve);
      case 'lenders': {
        // Left empty, a request from a catalogue record gets a fresh automatic rota.
        const automatic = !!request.item.catalogRecordId;
        controls.lenders = h('input', { name: 'lenders', required: !automatic, placeholder: 'CT-ABC, CT-DEF' });
        return field('Lenders, in order', controls.lenders,
          automatic ? 'library symbols, comma separated; empty: the catalogue chooses libraries not asked yet' : 'library symbols, comma separated');
      }
      default: return null;
    }
  });
  const message = h('div', { role: 'alert' });
  const submit = h('button', { type: 'submit', class: action.danger ? 'danger' : action.secondary ? 'secondary' : null }, action.label);
  const form = h('form', { 'data-action': action.name, onsubmit: async (event) => {
    event.preventDefault();
    submit.disabled = true;
    message.className = '';
    message.textContent = '';
    try {
      const variables = { id: request.id };
      const declared = ['$id: UUID!'];
      const passed = ['id: $id'];
      for (const name of action.fields) {
        const control = controls[name] || shared.note;
        let value = control.value.trim();
        if (name === 'text' && value === '') throw new ApiError('BAD_INPUT', 'Write the note in the Note field first.');
        if (value === '' && !ARGUMENT_TYPES[name].endsWith('!')) continue;
        if (name === 'approve') value = value === 'true';
        if (name === 'lenders') value = value.split(',').map((s) => s.trim().toUpperCase()).filter(Boolean);
        const argument = name === 'recallDueDate' ? 'dueDate' : name;
        variables[argument] = value;
        declared.push(`$${argument}: ${ARGUMENT_TYPES[name]}`);
        passed.push(`${argument}: $${argument}`);
      }
      if (action.name !== 'addNote') {
        variables.expectedVersion = request.version;
        declared.push('$expectedVersion: Int');
        passed.push('expectedVersion: $expectedVersion');
      }
      if (shared.coordinatorReason) {
        variables.coordinatorReason = shared.coordinatorReason.value.trim();
        if (!variables.coordinatorReason) throw new ApiError('BAD_INPUT', 'Say why, for the audit trail, in the Why field first.');
        declared.push('$coordinatorReason: String');
        passed.push('coordinatorReason: $coordinatorReason');
      }
      const data = await gql(`mutation(${declared.join(', ')}) { result: ${action.name}(${passed.join(', ')}) { ${REQUEST_FIELDS} } }`, variables);
      renderRequest(data.result);
      notify(`${action.label}: done. The request is now ${STATUS[data.result.status].toLowerCase()}.`);
    } catch (error) {
      if (error.code === 'UNAUTHENTICATED') return;
      if (error.code === 'CONFLICT') {
        const now = await loadRequest(request.id).catch(() => null);
        const alert = h('div', { class: 'alert warn', role: 'alert', id: 'conflict' },
          'Someone else changed this request while you were looking at it, so nothing was done. ',
          'It is shown below as it is now; check it, then act again if it still needs you.');
        if (now) return renderRequest(now, alert);
      }
      message.className = 'alert error';
      message.textContent = error.message;
      submit.disabled = false;
    }
  } }, inputs, message, h('div', {}, submit));
  return form;
}

// ---------------------------------------------------------------------------
// The union catalogue's search box (on the place-request page)
// ---------------------------------------------------------------------------

const CATALOG_SEARCH = `query($query: String!, $after: String) {
  catalogSearch(query: $query, first: 10, after: $after) {
    totalCount pageInfo { hasNextPage endCursor }
    edges { node { id title author publisher year edition isbns issns oclcNumbers lccn lendableBy } } } }`;

/** A record's identifiers, one line. */
const catalogIdentifiers = (record) => [
  ...record.isbns.map((isbn) => `ISBN ${isbn}`), ...record.issns.map((issn) => `ISSN ${issn}`),
  ...record.oclcNumbers.map((number) => `OCLC ${number}`), record.lccn ? `LCCN ${record.lccn}` : null,
].filter(Boolean).join(' · ');

/**
 * Searches the union catalogue (title and author words, or an ISBN, ISSN,
 * OCLC number or LCCN); the record staff choose is given to `choose`.
 */
function catalogSearchBox(choose) {
  const query = h('input', {
    type: 'search', id: 'catalog-query', autocomplete: 'off',
    placeholder: 'Title and author words, ISBN, ISSN, OCLC number or LCCN',
  });
  const status = h('p', { id: 'catalog-status', class: 'muted', role: 'status' });
  const results = h('ol', { id: 'catalog-results', class: 'catalog-results' });
  const more = h('p', {});
  const result = (record) => h('li', { 'data-record': record.id },
    h('button', { type: 'button', class: 'secondary catalog-choose', 'aria-label': `Request ${record.title}`,
      onclick: () => choose(record) }, 'Choose'),
    h('span', { class: 'catalog-title' }, ` ${record.title}`),
    [record.author, record.year].some(Boolean) ? h('span', {}, ` — ${[record.author, record.year].filter(Boolean).join(', ')}`) : null,
    h('span', { class: 'muted catalog-ids' }, ` ${catalogIdentifiers(record)}`),
    h('span', { class: 'lendable-by' },
      ` ${record.lendableBy} ${record.lendableBy === 1 ? 'library lends it' : 'libraries lend it'}`));
  // Answers may come back out of order: only the latest search is shown.
  let latest = 0;
  const run = async (after) => {
    const text = query.value.trim();
    if (!text) return;
    const mine = ++latest;
    try {
      const page = (await gql(CATALOG_SEARCH, { query: text, after })).catalogSearch;
      if (mine !== latest) return;
      if (!after) results.replaceChildren();
      results.append(...page.edges.map((edge) => result(edge.node)));
      status.textContent = page.totalCount === 1 ? '1 record found.' : `${page.totalCount} records found.`;
      more.replaceChildren(page.pageInfo.hasNextPage
        ? h('button', { type: 'button', class: 'secondary', id: 'catalog-more', onclick: () => run(page.pageInfo.endCursor) }, 'More records')
        : '');
    } catch (error) {
      if (error.code === 'UNAUTHENTICATED' || mine !== latest) return;
      results.replaceChildren();
      more.replaceChildren();
      status.textContent = error.message;
    }
  };
  // Enter searches: inside the place form it would otherwise place the request.
  query.addEventListener('keydown', (event) => {
    if (event.key !== 'Enter') return;
    event.preventDefault();
    run(null);
  });
  const search = h('button', { type: 'button', id: 'catalog-search', class: 'secondary', onclick: () => run(null) }, 'Search');
  return h('fieldset', { class: 'catalog-search' }, h('legend', {}, 'Find the item in the union catalogue'),
    h('div', { class: 'row' }, field('Search the catalogue', query), search), status, results, more);
}

/** Fills the place form's item fields from a chosen catalogue record. */
function fillFromRecord(controls, record) {
  const values = {
    title: record.title, author: record.author, isbn: record.isbns[0], issn: record.issns[0],
    oclcNumber: record.oclcNumbers[0], publisher: record.publisher, year: record.year, edition: record.edition,
  };
  for (const [name, value] of Object.entries(values)) controls[name].value = value || '';
  controls.catalogRecordId.value = record.id;
}

// ---------------------------------------------------------------------------
// Placing a request
// ---------------------------------------------------------------------------

const SUGGEST_ROTA = `query($record: ID!, $serviceType: ServiceType) {
  suggestRota(record: $record, serviceType: $serviceType) { library { id name } score reason } }`;

// A candidate's reason as the server words it (RotaCandidate.reason, kept
// as the entry's selection): "lent 2, borrowed 1 in 90 days; 0 waiting".
const REASON_FIGURES = /^lent (\d+), borrowed (\d+) in 90 days; (\d+) waiting$/;

/** A proposed lender's figures in words, and why its score puts it where it is. */
function candidateReason(candidate) {
  const score = candidate.score.toFixed(2);
  const figures = REASON_FIGURES.exec(candidate.reason);
  if (!figures) {
    return h('div', { class: 'candidate', 'data-reason': candidate.reason },
      h('span', { class: 'figures' }, `${candidate.reason} · score ${score}`));
  }
  const [, lent, borrowed, waiting] = figures;
  const requests = (n) => (n === '1' ? '1 request' : `${n} requests`);
  return h('div', { class: 'candidate', 'data-reason': candidate.reason },
    h('span', { class: 'figures' },
      `Lent ${lent} and borrowed ${borrowed} in the last 90 days · ${requests(waiting)} waiting for its answer now · score ${score}`),
    h('span', { class: 'why muted' },
      `Score: (${lent} lent + 1) ÷ (${borrowed} borrowed + 1) + ${waiting} waiting ÷ 10 = ${score}; the lowest is asked first.`));
}

async function placePage() {
  document.body.dataset.page = 'place';
  renderFrame('place');
  const live = current();
  const all = await libraries();
  if (!live()) return;
  const requestId = newId();
  const input = (name, attributes = {}) => h('input', { name, id: `place-${name}`, ...attributes });
  const c = {
    title: input('title', { required: true }), author: input('author'), isbn: input('isbn'), issn: input('issn'),
    oclcNumber: input('oclcNumber'), publisher: input('publisher'), year: input('year'), edition: input('edition'),
    articleTitle: input('articleTitle'), pages: input('pages'),
    publicationYear: input('publicationYear', { type: 'number', min: 1, max: 9999 }),
    compliance: h('select', { name: 'copyrightCompliance', id: 'place-copyrightCompliance' }, options(COMPLIANCE, 'Choose')),
    barcode: input('barcode', { required: true, autocomplete: 'off' }), patronName: input('patronName', { autocomplete: 'off' }),
    email: input('email', { type: 'email', autocomplete: 'off' }),
    neededBy: input('neededBy', { type: 'date', min: isoDate(0) }), note: h('textarea', { name: 'note', id: 'place-note' }),
    catalogRecordId: input('catalogRecordId', { type: 'hidden' }),
  };
  const catalogSearch = catalogSearchBox((record) => {
    fillFromRecord(c, record);
    c.title.focus();
    propose();
  });
  const service = h('select', { name: 'serviceType', id: 'place-serviceType' },
    h('option', { value: 'LOAN' }, 'Loan (return the item)'), h('option', { value: 'COPY' }, 'Copy (article or chapter)'));
  const copyFields = h('div', { class: 'grid', hidden: true },
    field('Article or chapter title', c.articleTitle), field('Pages', c.pages),
    field('Year of the issue', c.publicationYear), field('Copyright compliance', c.compliance, 'required for a copy'));
  // The sixth CCG copy of a title in a year means royalties: staff are
  // warned before placing it, and place it only once they confirm.
  let warnedFor = null;
  service.addEventListener('change', () => {
    copyFields.hidden = service.value !== 'COPY';
    // A copy may come from a copy that does not circulate: ask again.
    if (proposal) propose();
  });

  const rota = [];
  // The automatic rota proposed for the chosen record, as the server
  // ordered it. Placed unchanged, it goes as `lenders: []`, so the server
  // builds it again and each entry keeps its reason; changed by staff, it
  // goes as their list, which records no reasons (schema.graphql).
  let proposal = null;
  let proposing = 0;
  const proposalNote = h('div', { id: 'rota-proposal', role: 'status' });
  const candidateFor = (id) => proposal && proposal.candidates.find((candidate) => candidate.library.id === id);
  const unchanged = () => proposal !== null && proposal.candidates.length === rota.length
    && proposal.candidates.every((candidate, index) => candidate.library.id === rota[index]);
  const propose = async () => {
    const record = c.catalogRecordId.value;
    if (!record) return;
    const mine = ++proposing;
    proposalNote.className = 'muted';
    proposalNote.textContent = 'Asking the catalogue which libraries can lend it…';
    try {
      const data = await gql(SUGGEST_ROTA, { record, serviceType: service.value });
      if (mine !== proposing || !live()) return;
      proposal = { record, candidates: data.suggestRota };
      rota.splice(0, rota.length, ...proposal.candidates.map((candidate) => candidate.library.id));
      renderRota();
    } catch (error) {
      if (error.code === 'UNAUTHENTICATED' || mine !== proposing) return;
      proposal = null;
      proposalNote.className = 'alert error';
      proposalNote.textContent = error.message;
    }
  };
  const restore = h('button', { type: 'button', class: 'secondary', id: 'rota-restore', onclick: () => {
    rota.splice(0, rota.length, ...proposal.candidates.map((candidate) => candidate.library.id));
    renderRota();
  } }, 'Use the proposal again');
  const renderProposal = () => {
    delete proposalNote.dataset.state;
    if (!proposal) {
      proposalNote.className = '';
      proposalNote.replaceChildren();
      return;
    }
    if (!proposal.candidates.length) {
      proposalNote.className = 'alert warn';
      proposalNote.dataset.state = 'none';
      proposalNote.replaceChildren(h('strong', {}, 'No library can lend this item now.'),
        ' No other library that lends holds a copy it can send: libraries that are suspended or closed today are left out. ',
        'You may still add lenders by hand.');
      return;
    }
    proposalNote.className = 'alert';
    proposalNote.dataset.state = unchanged() ? 'proposed' : 'changed';
    proposalNote.replaceChildren(...(unchanged()
      ? ['Proposed by the catalogue for this record. Libraries that lent least for what they borrowed in the last 90 days ',
        'are asked first; each request already waiting at a library moves it later; equal scores are ordered by a fixed draw, not by name. ',
        'Placed as it is, each lender\'s reason is kept in the request\'s history.']
      : ['You changed the proposed rota: the request goes to your list in your order, and the catalogue\'s reasons are not recorded. ',
        restore]));
  };
  const rotaList = h('ol', { id: 'rota-list' });
  const chooser = h('select', { id: 'lender-choice' });
  const lenderFilter = h('input', { type: 'search', id: 'lender-filter', placeholder: 'Symbol or name' });
  const renderChooser = () => {
    const needle = lenderFilter.value.trim().toLowerCase();
    chooser.replaceChildren(...all
      .filter((l) => l.id !== viewer.library.id)
      .filter((l) => !needle || l.id.toLowerCase().includes(needle) || l.name.toLowerCase().includes(needle))
      .map((l) => {
        const unavailable = !l.lends ? 'does not lend' : l.suspended ? 'suspended' : null;
        const closed = closuresText(l);
        return h('option', { value: l.id, disabled: unavailable !== null || rota.includes(l.id) },
          libraryLabel(l), unavailable ? ` — ${unavailable}` : '', closed ? ` — ${closed}` : '');
      }));
    const first = [...chooser.options].find((o) => !o.disabled);
    if (first) chooser.value = first.value;
  };
  const renderRota = () => {
    rotaList.replaceChildren(...rota.map((id, index) => {
      const library = all.find((l) => l.id === id);
      const move = (by) => () => {
        rota.splice(index, 1);
        rota.splice(index + by, 0, id);
        renderRota();
      };
      const candidate = candidateFor(id);
      return h('li', { 'data-library': id },
        h('div', { class: 'row' },
          h('span', { class: 'position' }, `${index + 1}.`),
          h('span', {}, libraryLabel(library || (candidate && candidate.library))),
          closuresText(library) ? h('span', { class: 'muted closures' }, ` ${closuresText(library)} (skipped while closed)`) : null,
          h('button', { type: 'button', class: 'secondary', 'aria-label': `Move ${id} up`, disabled: index === 0, onclick: move(-1) }, '↑'),
          h('button', { type: 'button', class: 'secondary', 'aria-label': `Move ${id} down`, disabled: index === rota.length - 1, onclick: move(1) }, '↓'),
          h('button', { type: 'button', class: 'secondary', 'aria-label': `Remove ${id}`, onclick: () => {
            rota.splice(index, 1);
            renderRota();
          } }, 'Remove')),
        candidate ? candidateReason(candidate)
          : proposal ? h('div', { class: 'added muted' }, 'Added by you: the catalogue did not propose it for this record.') : null);
    }));
    if (!rota.length) rotaList.append(h('li', { class: 'muted' }, 'No lenders yet: add at least one.'));
    renderProposal();
    renderChooser();
  };
  lenderFilter.addEventListener('input', renderChooser);
  const addLender = h('button', { type: 'button', id: 'add-lender', class: 'secondary', onclick: () => {
    const option = chooser.selectedOptions[0];
    if (option && !option.disabled && !rota.includes(option.value)) rota.push(option.value);
    renderRota();
    chooser.focus();
  } }, 'Add to the rota');

  const message = h('div', { role: 'alert', id: 'place-message' });
  const submit = h('button', { type: 'submit', id: 'place-submit' }, 'Place the request');
  const optional = (control) => control.value.trim() || null;
  const form = h('form', { id: 'place-form', onsubmit: async (event) => {
    event.preventDefault();
    const automatic = unchanged();
    if (!rota.length && !automatic) {
      message.className = 'alert error';
      message.textContent = 'Add at least one lender to the rota.';
      return;
    }
    submit.disabled = true;
    message.className = '';
    message.textContent = '';
    const copy = service.value === 'COPY';
    if (copy && !c.compliance.value) {
      message.className = 'alert error';
      message.textContent = 'Choose the copy\'s copyright compliance (CCG, CCL or OTHER).';
      submit.disabled = false;
      return;
    }
    if (copy && c.compliance.value === 'CCG') {
      const counted = await copiesThisYear(optional(c.issn), c.title.value).catch(() => 0);
      const key = `${optional(c.issn)}|${c.title.value}`;
      if (counted >= 5 && warnedFor !== key) {
        warnedFor = key;
        message.className = 'alert warn';
        message.dataset.warning = 'copyright';
        message.textContent = `Your library already had ${counted} CCG copies of this title delivered this year: `
          + 'a sixth exceeds the CONTU guidelines (royalties are due). Choose CCL or OTHER if they apply, '
          + 'or place it again to go ahead as CCG.';
        submit.disabled = false;
        return;
      }
    }
    const placed = {
      id: requestId,
      serviceType: service.value,
      item: {
        title: c.title.value.trim(), author: optional(c.author), isbn: optional(c.isbn), issn: optional(c.issn),
        oclcNumber: optional(c.oclcNumber), publisher: optional(c.publisher), year: optional(c.year),
        edition: optional(c.edition), catalogRecordId: optional(c.catalogRecordId), articleTitle: copy ? optional(c.articleTitle) : null, pages: copy ? optional(c.pages) : null,
        copyrightCompliance: copy ? c.compliance.value : null,
        publicationYear: copy && optional(c.publicationYear) ? Number(c.publicationYear.value) : null,
      },
      patron: { barcode: c.barcode.value.trim(), name: optional(c.patronName), email: optional(c.email) },
      lenders: automatic ? [] : rota,
      neededBy: optional(c.neededBy),
      note: optional(c.note),
    };
    try {
      const data = await gql('mutation($input: PlaceRequestInput!) { placeRequest(input: $input) { id } }', { input: placed });
      notify('The request was placed.');
      location.hash = `#/request/${data.placeRequest.id}`;
    } catch (error) {
      if (error.code === 'UNAUTHENTICATED') return;
      message.className = 'alert error';
      message.textContent = error.message;
      submit.disabled = false;
    }
  } },
  h('h1', {}, 'Place a request'),
  catalogSearch,
  h('fieldset', {}, h('legend', {}, 'Item'),
    c.catalogRecordId,
    field('Service', service),
    h('div', { class: 'grid' },
      field('Title', c.title), field('Author', c.author), field('ISBN', c.isbn), field('ISSN', c.issn),
      field('OCLC number', c.oclcNumber), field('Publisher', c.publisher), field('Year', c.year), field('Edition', c.edition)),
    copyFields),
  h('fieldset', {}, h('legend', {}, 'Patron'),
    h('div', { class: 'grid' }, field('Barcode', c.barcode), field('Name', c.patronName, 'optional'), field('Email', c.email, 'optional')),
    h('p', { class: 'hint' }, 'Patron details stay with your library: lenders never see them, and they are deleted some time after the request ends.')),
  h('fieldset', { class: 'rota-pick' }, h('legend', {}, 'Lenders (the rota, asked in this order)'),
    proposalNote,
    rotaList,
    h('div', { class: 'grid' }, field('Find a library', lenderFilter), field('Library', chooser, 'suspended and non-lending libraries cannot be chosen')),
    h('p', {}, addLender)),
  h('fieldset', {}, h('legend', {}, 'Details'),
    field('Needed by', c.neededBy, 'optional'), field('Note to the lenders', c.note, 'optional')),
  message,
  h('p', {}, submit));
  show('Place a request', form);
  renderRota();
}

// ---------------------------------------------------------------------------
// Printing
// ---------------------------------------------------------------------------

async function slipPage(id) {
  const request = await requestFor('slip', id);
  if (!request) return;
  const item = request.item;
  const position = request.rota.find((e) => request.lender && e.library.id === request.lender.id);
  show(`Pull slip ${item.title}`,
    h('p', { class: 'no-print row' },
      h('button', { type: 'button', onclick: () => window.print() }, 'Print'),
      h('a', { href: `#/request/${request.id}` }, 'Back to the request')),
    h('article', { class: 'slip', id: 'slip' },
      h('h1', {}, 'Interlibrary loan — pull slip'),
      h('div', { class: 'big', id: 'slip-id' }, request.id.toUpperCase()),
      h('h2', {}, item.title),
      h('dl', { class: 'facts' },
        [['Author', item.author], ['Article', item.articleTitle], ['Pages', item.pages], ['ISBN', item.isbn],
          ['ISSN', item.issn], ['OCLC number', item.oclcNumber], ['Call number / record', item.catalogRecordId],
          ['Service', request.serviceType === 'COPY' ? 'Copy' : 'Loan'],
          ['Borrowing library', libraryLabel(request.borrower)],
          ['Lender', request.lender ? libraryLabel(request.lender) : null],
          ['Rota position', position ? `${position.position} of ${request.rota.length}` : null],
          ['Needed by', date(request.neededBy)], ['Due', date(request.dueDate)],
          ['Status', STATUS[request.status]]]
          .filter(([, v]) => v).map(([k, v]) => [h('dt', {}, k), h('dd', {}, v)])),
      h('p', { class: 'muted' }, `Printed ${dateTime(new Date(serverNow()).toISOString())}`)));
}

function blankFormPage() {
  document.body.dataset.page = 'form';
  renderFrame('form');
  const line = (label) => h('div', {}, h('div', { class: 'label' }, label), h('div', { class: 'line' }));
  show('Offline request form',
    h('p', { class: 'no-print row' }, h('button', { type: 'button', onclick: () => window.print() }, 'Print'),
      h('span', { class: 'muted' }, 'For taking requests when the system is out of reach; enter them once it is back.')),
    h('article', { class: 'slip blank-form', id: 'blank-form' },
      h('h1', {}, 'Interlibrary loan request'),
      h('h2', {}, 'Item'),
      ['Title', 'Author', 'ISBN / ISSN / OCLC number', 'Publisher, year, edition', 'Article or chapter, pages (copies)'].map(line),
      h('h2', {}, 'Patron'),
      ['Barcode', 'Name', 'Email or phone', 'Needed by'].map(line),
      h('h2', {}, 'Library use'),
      ['Service: loan / copy', 'Lenders to ask, in order', 'Taken by, date', 'Entered as request id'].map(line)));
}

// ---------------------------------------------------------------------------
// Coordinator tools
// ---------------------------------------------------------------------------

async function coordinatorPage() {
  document.body.dataset.page = 'coordinator';
  renderFrame('coordinator');
  if (!isNetwork()) {
    refuse('Coordinator', 'Only coordinators and admins use these tools.');
    return;
  }
  directory = null;
  const live = current();
  const all = await libraries();
  if (!live()) return;
  const auditId = h('input', { id: 'audit-id', name: 'audit', placeholder: 'request id', required: true, pattern: '[0-9a-fA-F-]{36}' });
  const rows = all.map((library) => {
    const toggle = h('button', {
      type: 'button', class: library.suspended ? null : 'secondary', 'data-library': library.id,
      disabled: !library.lends,
      onclick: async () => {
        toggle.disabled = true;
        try {
          const data = await gql('mutation($library: ID!, $suspended: Boolean!) { setLendingSuspended(library: $library, suspended: $suspended) { id suspended } }',
            { library: library.id, suspended: !library.suspended });
          library.suspended = data.setLendingSuspended.suspended;
          directory = null;
          notify(`${library.id}: lending ${library.suspended ? 'suspended' : 'resumed'}.`);
          coordinatorPage();
        } catch (error) {
          notify(error.message);
          toggle.disabled = false;
        }
      },
    }, library.suspended ? 'Resume lending' : 'Suspend lending');
    return h('tr', { 'data-library': library.id },
      h('td', {}, library.id), h('td', {}, library.name),
      h('td', {}, !library.lends ? 'Borrows only' : library.suspended ? h('span', { class: 'badge recalled' }, 'Suspended') : 'Lending'),
      h('td', {}, h('a', { href: `#/queue/borrowing?library=${library.id}` }, 'Borrowing'), ' · ',
        h('a', { href: `#/queue/lending?library=${library.id}` }, 'Lending')),
      h('td', { class: 'closures' }, closuresText(library) || '—'),
      h('td', {}, toggle));
  });
  show('Coordinator',
    h('h1', {}, 'Coordinator'),
    h('form', { class: 'card', id: 'audit', onsubmit: (event) => {
      event.preventDefault();
      location.hash = `#/request/${auditId.value.trim().toLowerCase()}`;
    } }, h('h2', {}, 'Audit a request'),
    h('p', { class: 'muted' }, 'Any request, with its whole history: who did what, when, and why.'),
    field('Request id', auditId), h('button', { type: 'submit' }, 'Show')),
    h('p', {}, h('a', { href: '#/imports', id: 'imports-link' }, 'Holdings imports of every library'),
      h('span', { class: 'muted' }, ': when each last sent its holdings, and the records rejected')),
    h('section', { class: 'card' }, h('h2', {}, 'Libraries'),
      h('table', { id: 'directory' },
        h('thead', {}, h('tr', {}, ['Symbol', 'Name', 'Lending', 'Queues', 'Closures', ''].map((t) => h('th', { scope: 'col' }, t)))),
        h('tbody', {}, rows))));
}

// ---------------------------------------------------------------------------
// Holdings imports
// ---------------------------------------------------------------------------

const IMPORTS_QUERY = `query($library: ID) { holdingsImports(library: $library) {
  id library { id } by format at records holdings rejected errors { record reason } } }`;
const FORMATS = { marc: 'MARC 21', marcxml: 'MARCXML', csv: 'CSV' };

/** What an import left the library's holdings as, in words. */
function importResult(last) {
  if (last.holdings === 0) return h('span', { class: 'badge pending' }, 'No holdings kept');
  if (last.rejected === 0) return h('span', { class: 'badge done' }, 'All records kept');
  return h('span', { class: 'badge pending' }, 'Kept, some records rejected');
}

/** An import's refused records: each one's place in the file and why. */
function importRejections(last) {
  if (!last.errors.length) return null;
  const unlisted = last.rejected - last.errors.length;
  return h('details', { class: 'rejections' },
    h('summary', {}, last.rejected === 1 ? '1 record rejected' : `${last.rejected} records rejected`),
    h('table', {},
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Record'), h('th', { scope: 'col' }, 'Why it was rejected'))),
      h('tbody', {}, last.errors.map((error) => h('tr', { 'data-record': error.record },
        h('td', {}, `#${error.record}`), h('td', {}, error.reason))))),
    unlisted > 0 ? h('p', { class: 'muted' }, `and ${unlisted} more: only the first ${last.errors.length} are kept.`) : null);
}

/** Each library's last holdings import (coordinators: every library;
 *  staff: their own, as the server allows). */
async function importsPage() {
  document.body.dataset.page = 'imports';
  renderFrame('imports');
  const live = current();
  const network = isNetwork();
  const [all, data] = await Promise.all([
    libraries(), gql(IMPORTS_QUERY, { library: network ? null : viewer.library.id })]);
  if (!live()) return;
  // The server lists the latest first: a library's first is its last import.
  const last = new Map();
  for (const record of data.holdingsImports) {
    if (!last.has(record.library.id)) last.set(record.library.id, record);
  }
  const shown = network ? all : all.filter((library) => library.id === viewer.library.id);
  const rows = shown.map((library) => {
    const record = last.get(library.id);
    const name = h('td', { 'data-label': 'Library' }, libraryLabel(library));
    if (!record) {
      return h('tr', { 'data-library': library.id }, name,
        h('td', { colspan: 7, class: 'muted', 'data-label': 'Last import' }, 'No import yet: the catalogue holds nothing for this library.'));
    }
    return h('tr', { 'data-library': library.id, 'data-import': record.id }, name,
      h('td', { 'data-label': 'When' }, dateTime(record.at)),
      h('td', { 'data-label': 'By' }, record.by),
      h('td', { 'data-label': 'Format' }, FORMATS[record.format] || record.format),
      h('td', { 'data-label': 'Records read' }, record.records),
      h('td', { 'data-label': 'Holdings kept' }, record.holdings),
      h('td', { 'data-label': 'Rejected' }, record.rejected),
      h('td', { 'data-label': 'Result' }, importResult(record), importRejections(record)));
  });
  show('Holdings imports',
    h('h1', {}, 'Holdings imports'),
    h('p', { class: 'muted' },
      'Each library sends its whole holdings file; its last import is what the union catalogue holds for it now. ',
      'A record the import could not read is rejected with its reason and the rest are kept. ',
      network ? 'Coordinators see every library.' : 'You see your own library\'s imports.'),
    h('section', { class: 'card' },
      h('table', { id: 'imports', class: 'queue' },
        h('thead', {}, h('tr', {}, ['Library', 'When', 'By', 'Format', 'Records read', 'Holdings kept', 'Rejected', 'Result']
          .map((title) => h('th', { scope: 'col' }, title)))),
        h('tbody', {}, rows))));
}

// ---------------------------------------------------------------------------
// The copyright report (the rule of five)
// ---------------------------------------------------------------------------

const COPYRIGHT_QUERY = 'query($library: ID!, $year: Int!) { copyrightReport(library: $library, year: $year) { title issn copies overLimit } }';

/** Folded as the server folds titles: NFKD, no diacritics, lower case, punctuation to spaces. */
const foldTitle = (text) => text.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase()
  .replace(/[^\p{L}\p{N}]+/gu, ' ').trim();
function normalIssn(text) {
  const compact = (text || '').replace(/[-\s]/g, '').toUpperCase();
  return /^\d{7}[\dX]$/.test(compact) ? `${compact.slice(0, 4)}-${compact.slice(4)}` : null;
}

/** This year's counted copies of a title (by ISSN, else folded title) for the viewer's library. */
async function copiesThisYear(issn, title) {
  const year = Number((clock.today || isoDate(0)).slice(0, 4));
  const report = (await gql(COPYRIGHT_QUERY, { library: viewer.library.id, year })).copyrightReport;
  const wanted = normalIssn(issn);
  const row = report.find((r) => (wanted ? r.issn === wanted : !r.issn && foldTitle(r.title) === foldTitle(title)));
  return row ? row.copies : 0;
}

async function copyrightPage(params) {
  document.body.dataset.page = 'copyright';
  renderFrame('copyright');
  const live = current();
  const library = (isNetwork() && params.get('library')) || viewer.library.id;
  const thisYear = Number((clock.today || isoDate(0)).slice(0, 4));
  const year = Number(params.get('year')) || thisYear;
  const report = (await gql(COPYRIGHT_QUERY, { library, year })).copyrightReport;
  if (!live()) return;
  const csvCell = (v) => (/[",\n]/.test(String(v)) ? `"${String(v).replace(/"/g, '""')}"` : String(v));
  const csv = [['title', 'issn', 'copies', 'over_limit'], ...report.map((r) => [r.title, r.issn || '', r.copies, r.overLimit])]
    .map((row) => row.map(csvCell).join(',')).join('\n') + '\n';
  const download = h('a', {
    class: 'button secondary', id: 'copyright-csv', download: `copyright-${library}-${year}.csv`,
    href: URL.createObjectURL(new Blob([csv], { type: 'text/csv' })),
  }, 'Download CSV');
  const yearInput = h('input', { type: 'number', name: 'year', id: 'copyright-year', value: year, min: 1, max: 9999 });
  show(`Copyright ${year}`,
    h('h1', {}, 'Copyright report', h('span', { class: 'muted' }, ` · ${library} · ${year}`)),
    h('p', { class: 'muted' }, 'CCG copies delivered to your library in the year, per periodical title, of articles published '
      + 'within five years of the request. More than five copies of one title: royalties are due.'),
    h('form', { class: 'row', onsubmit: (event) => {
      event.preventDefault();
      location.hash = `#/copyright?year=${yearInput.value}${library !== viewer.library.id ? `&library=${library}` : ''}`;
    } }, field('Year', yearInput), h('button', { type: 'submit', class: 'secondary' }, 'Show'), h('span', { class: 'spacer' }), download),
    report.length === 0
      ? h('p', { class: 'card', id: 'copyright-empty' }, 'No counted copies in this year.')
      : h('table', { id: 'copyright' },
        h('thead', {}, h('tr', {}, ['Title', 'ISSN', 'Copies', ''].map((t) => h('th', { scope: 'col' }, t)))),
        h('tbody', {}, report.map((r) => h('tr', { class: r.overLimit ? 'over-limit' : null },
          h('td', {}, r.title), h('td', {}, r.issn || '—'), h('td', {}, r.copies),
          h('td', {}, r.overLimit ? h('span', { class: 'badge recalled' }, 'Over the limit') : ''))))));
}

// ---------------------------------------------------------------------------
// Accounts (coordinators see them; admins disable and enable them)
// ---------------------------------------------------------------------------

const ACCOUNTS_QUERY = 'query($library: ID) { accounts(library: $library) { library { id } name role tokens disabled } }';
const SET_DISABLED = 'mutation($library: ID!, $name: String!, $disabled: Boolean!) { setAccountDisabled(library: $library, name: $name, disabled: $disabled) { name disabled } }';

async function accountsPage(params) {
  document.body.dataset.page = 'accounts';
  renderFrame('accounts');
  if (!isNetwork()) {
    refuse('Accounts', 'Only coordinators and admins see the accounts.');
    return;
  }
  const live = current();
  const library = params.get('library') || null;
  const [all, accounts] = await Promise.all([libraries(), gql(ACCOUNTS_QUERY, { library }).then((d) => d.accounts)]);
  if (!live()) return;
  const admin = viewer.role === 'ADMIN';
  const filter = h('select', { id: 'accounts-library', onchange: () => {
    location.hash = filter.value ? `#/accounts?library=${encodeURIComponent(filter.value)}` : '#/accounts';
  } }, h('option', { value: '' }, 'All libraries'), all.map((l) => h('option', { value: l.id }, libraryLabel(l))));
  filter.value = library || '';
  const rows = accounts.map((account) => accountRow(account, admin));
  show('Accounts',
    h('h1', {}, 'Accounts'),
    h('p', { class: 'muted' }, admin
      ? 'Disabling an account revokes its API tokens and ends its sessions at once; it cannot sign in until enabled, and enabling restores neither.'
      : 'Only admins disable or enable accounts.'),
    h('div', { class: 'row' }, field('Library', filter)),
    accounts.length === 0
      ? h('p', { class: 'card', id: 'accounts-empty' }, 'No accounts.')
      : h('table', { id: 'accounts' },
        h('thead', {}, h('tr', {}, ['Library', 'Name', 'Role', 'API tokens', 'State', ''].map((t) => h('th', { scope: 'col' }, t)))),
        h('tbody', {}, rows)));
}

/** One account's row; for an admin, a button that asks for confirmation in place before it acts. */
function accountRow(account, admin) {
  const key = `${account.library.id}/${account.name}`;
  const own = account.library.id === viewer.library.id && account.name === viewer.name;
  const cell = h('td', { class: 'account-action' });
  const offer = () => {
    if (!admin) return cell.replaceChildren();
    const verb = account.disabled ? 'Enable' : 'Disable';
    cell.replaceChildren(h('button', {
      type: 'button', class: account.disabled ? null : 'secondary', 'data-do': verb.toLowerCase(),
      disabled: own && !account.disabled, title: own ? 'You cannot disable your own account' : null,
      onclick: ask,
    }, verb));
  };
  const ask = () => {
    const disabling = !account.disabled;
    const yes = h('button', { type: 'button', class: disabling ? 'danger' : null, 'data-confirm': 'yes', onclick: async () => {
      yes.disabled = true;
      try {
        const data = await gql(SET_DISABLED, { library: account.library.id, name: account.name, disabled: disabling });
        account.disabled = data.setAccountDisabled.disabled;
        notify(`${key}: ${account.disabled ? 'disabled' : 'enabled'}.`);
        route();
      } catch (error) {
        if (error.code === 'UNAUTHENTICATED') return;
        notify(error.message);
        offer();
      }
    } }, disabling ? 'Disable the account' : 'Enable the account');
    cell.replaceChildren(h('span', { class: 'confirm', role: 'alert' },
      disabling ? `Disable ${key}? Its tokens and sessions end now. ` : `Enable ${key}? It gets no tokens or sessions back. `,
      yes, ' ', h('button', { type: 'button', class: 'secondary', 'data-confirm': 'no', onclick: offer }, 'Keep it')));
    yes.focus();
  };
  offer();
  return h('tr', { 'data-account': key, class: account.disabled ? 'disabled-account' : null },
    h('td', {}, account.library.id), h('td', {}, account.name), h('td', {}, account.role.toLowerCase()),
    h('td', { class: 'tokens' }, account.tokens),
    h('td', { class: 'state' }, account.disabled ? h('span', { class: 'badge lost' }, 'Disabled') : 'Active'),
    cell);
}

// ---------------------------------------------------------------------------

window.addEventListener('hashchange', route);
route();
