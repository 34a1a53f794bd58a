/**
 * The page's JavaScript, served as `/app.js` (no framework, no build step). It reads the API
 * URLs (and the proxy's, if any) from the page's `#config` block and the user's name from the
 * `__Host-app.idt` cookie (display only: the APIs decide from the access token, which this
 * script never sees). Every API call goes through `apiFetch()`: it refreshes first when the
 * `__Host-app.fresh` marker is gone (the access token is about to expire), and after a 401
 * it acts on the body's `reason`: `token_expired` means one `POST /refresh` (shared by the
 * calls that failed together) and one retry; every other reason means "log in again", since
 * a refresh cannot mend a forged, revoked or foreign token. Other errors show in `#error`.
 */
export const PAGE_SCRIPT = `'use strict';
const config = JSON.parse(document.getElementById('config').textContent);
const $ = (id) => document.getElementById(id);

function readCookie(name) {
  for (const pair of document.cookie.split('; ')) {
    const equals = pair.indexOf('=');
    if (pair.slice(0, equals) === name) return decodeURIComponent(pair.slice(equals + 1));
  }
  return undefined;
}

// Display only. The signature is not checked here (the server checked it at login), and
// nothing is decided from these claims.
function idTokenClaims() {
  const token = readCookie('__Host-app.idt');
  if (!token) return null;
  try {
    const base64 = token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
    const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
    return JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    return null;
  }
}

let refreshInFlight = null;
let refreshesDone = 0;

// One refresh for every call that got a 401 together: the provider rotates refresh tokens,
// and a spent one presented twice ends the whole grant.
function refreshOnce() {
  refreshInFlight ??= fetch('/refresh', { method: 'POST', credentials: 'same-origin' })
    .then((response) => {
      if (response.status === 204) {
        refreshesDone++;
        return 'ok';
      }
      return response.status === 401 ? 'login' : 'unavailable';
    }, () => 'unavailable')
    .finally(() => { refreshInFlight = null; });
  return refreshInFlight;
}

class ApiError extends Error {}

function describeError(response, body) {
  if (body && typeof body.error === 'string') {
    const detail = body.error_description || (typeof body.message === 'string' ? body.message : '');
    return response.status + ' ' + body.error + (detail ? ': ' + detail : '');
  }
  return response.status + ' ' + (response.statusText || 'error');
}

// The access token's cookie outlives this marker by a few seconds: no marker, refresh first.
const accessTokenFresh = () => readCookie('__Host-app.fresh') === '1';

// A 401 whose reason a refresh mends; the contract's reasons, as the APIs and the proxy send them.
const REFRESHABLE = new Set(['token_expired']);

async function apiFetch(url, init = {}) {
  const send = () =>
    fetch(url, {
      ...init,
      credentials: 'include', // the app.at cookie goes to the API (same site)
      headers: { accept: 'application/json', ...(init.body ? { 'content-type': 'application/json' } : {}) },
    }).catch(() => {
      throw showError(new URL(url).host + ' is unreachable');
    });
  if (!accessTokenFresh()) await refreshOrStop(await refreshOnce());
  const refreshesBefore = refreshesDone;
  let response = await send();
  if (response.status === 401) {
    const reason = await response.clone().json().then((body) => body && body.reason, () => undefined);
    if (!REFRESHABLE.has(reason)) {
      showLoggedOut('Your session has ended (' + (reason || 'no reason given') + '). Log in again.');
      throw new ApiError('login required');
    }
    // a refresh that finished while this call was under way already fixed it
    await refreshOrStop(refreshesDone > refreshesBefore ? 'ok' : await refreshOnce());
    response = await send();
  }
  const body = response.status === 204 ? null : await response.json().catch(() => null);
  if (!response.ok) throw showError(describeError(response, body));
  return body;
}

function refreshOrStop(outcome) {
  if (outcome === 'login') {
    showLoggedOut('Your session has ended. Log in again.');
    throw new ApiError('login required');
  }
  if (outcome === 'unavailable') throw showError('The authorization server is unavailable; try again.');
}

function showError(message) {
  $('error').textContent = message;
  return new ApiError(message);
}

let busy = 0;

// Runs a user action (its error is already on screen); #app is aria-busy meanwhile.
async function run(action) {
  $('error').textContent = '';
  $('app').setAttribute('aria-busy', String(++busy > 0));
  try {
    await action();
  } catch (error) {
    if (!(error instanceof ApiError)) showError(String(error));
  } finally {
    $('app').setAttribute('aria-busy', String(--busy > 0));
  }
}

function item(text, className) {
  const li = document.createElement('li');
  const span = document.createElement('span');
  span.className = className;
  span.textContent = text;
  li.append(span);
  return li;
}

async function loadTodos() {
  const todos = await apiFetch(config.todoApiUrl + '/todos');
  $('todo-list').replaceChildren(
    ...todos.map((todo) => {
      const li = item(todo.title, 'todo-title');
      li.dataset.id = todo.id;
      const remove = document.createElement('button');
      remove.type = 'button';
      remove.className = 'todo-delete';
      remove.textContent = 'Delete';
      remove.addEventListener('click', () =>
        run(async () => {
          await apiFetch(config.todoApiUrl + '/todos/' + encodeURIComponent(todo.id), { method: 'DELETE' });
          await loadTodos();
        }),
      );
      li.append(' ', remove);
      return li;
    }),
  );
}

// The same todos by way of the proxy: it validates the cookie's token, then forwards the call
// to todo-api with Authorization: Bearer.
async function loadTodosThroughProxy() {
  const todos = await apiFetch(config.proxyUrl + '/api/todos');
  $('proxy-todo-list').replaceChildren(...todos.map((todo) => item(todo.title, 'proxy-todo-title')));
}

async function loadTickets() {
  const tickets = await apiFetch(config.helpApiUrl + '/tickets');
  $('ticket-list').replaceChildren(...tickets.map((ticket) => item(ticket.subject + ' (' + ticket.status + ')', 'ticket-subject')));
}

function showLoggedOut(message) {
  $('user-name').textContent = '';
  $('login').hidden = false;
  $('logout-form').hidden = true;
  $('app').hidden = true;
  if (message) $('error').textContent = message;
}

if (config.proxyUrl) $('proxy-load').addEventListener('click', () => run(loadTodosThroughProxy));

$('todo-form').addEventListener('submit', (event) => {
  event.preventDefault();
  run(async () => {
    await apiFetch(config.todoApiUrl + '/todos', { method: 'POST', body: JSON.stringify({ title: $('todo-title').value }) });
    $('todo-title').value = '';
    await loadTodos();
  });
});

const claims = idTokenClaims();
if (!claims) {
  showLoggedOut();
} else {
  $('user-name').textContent = claims.name || claims.email || claims.sub;
  $('logout-form').hidden = false;
  $('app').hidden = false;
  run(() => Promise.all([loadTodos(), loadTickets()]));
}
`;
