import { PAGE_LIVE_SCRIPT } from './page-live-script.js';

/**
 * The page's JavaScript, served as `/app.js` (no framework, no build step). It reads the API
 * URLs (and the proxy's, if any) from the page's `#config` block and the user's name from the
 * `__Host-app.idt` cookie (display only: the APIs decide from the access token, which this
 * script never sees). Every API call goes through `apiFetch()`: it refreshes first when the
 * `__Host-app.fresh` marker is gone (the access token is about to expire), and after a 401
 * it acts on the body's `reason`: `token_expired` means one `POST /refresh` (shared by the
 * calls that failed together) and one retry; every other reason means "log in again", since
 * a refresh cannot mend a forged, revoked or foreign token. Other errors show in `#error`.
 *
 * Step-up (RFC 9470): a 401 with reason `authentication_insufficient` (todo-api's
 * `DELETE /todos`) carries `acr_values` and/or `max_age` in `WWW-Authenticate` (exposed by the
 * APIs' CORS). "Delete all" then notes itself in this tab's `sessionStorage` (no other site
 * can write there, unlike a URL, so no link can trigger a deletion) and goes to
 * `/login?acr_values=…&max_age=…`; when the page comes back from that login, for the same user
 * within ten minutes, it retries the delete once (a second refusal shows, never loops).
 *
 * Live updates: once the todos are loaded, the page opens a WebSocket to todo-api's `/live`.
 * The browser sends the `app.at` cookie and this page's `Origin` with the handshake (todo-api
 * trusts the origins of its `CORS_ORIGINS`); the URL carries no token. On open the page asks
 * for `todos` (the list as of now; every change after it arrives in order on the same socket),
 * then applies `todo.created` / `todo.deleted` as they come; `#live-status` shows the state. A
 * close with 4401 `token_expired`, or a socket that closed before answering (a browser sees a
 * refused upgrade only as 1006), costs one `POST /refresh` and one reconnect; another 4401
 * reason means "log in again"; a second failure in a row stops live updates and says so, so a
 * refusal never loops. An action's own answer updates the list too (the event that follows is
 * ignored as a duplicate), so the list is right without live updates as well.
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

// When a tab of this browser last refreshed (a time, not a secret): see refreshOnce().
const REFRESHED_AT_KEY = 'web.refreshed-at';
const withRefreshLock = (task) => (navigator.locks ? navigator.locks.request('web.refresh', task) : task());

// One refresh for every call that got a 401 together: the provider rotates refresh tokens,
// and a spent one presented twice ends the whole grant. The tabs of a browser share the
// cookies, and their live sockets expire at the same moment, so they take turns (Web Locks):
// a tab whose turn comes after another tab refreshed (since \`since\`, when its own token was
// found stale) uses that refresh's cookies instead of spending the rotated token again.
function refreshOnce(since = Date.now()) {
  refreshInFlight ??= withRefreshLock(async () => {
    if (Number(localStorage.getItem(REFRESHED_AT_KEY)) > since) return 'ok';
    let response;
    try {
      response = await fetch('/refresh', { method: 'POST', credentials: 'same-origin' });
    } catch {
      return 'unavailable';
    }
    if (response.status !== 204) return response.status === 401 ? 'login' : 'unavailable';
    localStorage.setItem(REFRESHED_AT_KEY, String(Date.now()));
    return 'ok';
  })
    .then((outcome) => {
      if (outcome === 'ok') refreshesDone++;
      return outcome;
    })
    .finally(() => { refreshInFlight = null; });
  return refreshInFlight;
}

class ApiError extends Error {}

// What the login must bring for the API to answer, as /login's query (RFC 9470 §3).
class StepUpRequired extends ApiError {
  constructor(challenge) {
    super('step-up required');
    this.challenge = challenge;
  }
}

function stepUpChallenge(response) {
  const header = response.headers.get('www-authenticate') || '';
  const acrValues = /(?:^|[ ,])acr_values="([^"]*)"/.exec(header);
  const maxAge = /(?:^|[ ,])max_age="?([0-9]+)/.exec(header);
  const query = new URLSearchParams();
  if (acrValues) query.set('acr_values', acrValues[1]);
  if (maxAge) query.set('max_age', maxAge[1]);
  return query;
}

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

const refusalReason = (response) => response.clone().json().then((body) => body && body.reason, () => undefined);

function stepUpRequired(response) {
  showError('This needs a recent sign-in with a second factor.');
  return new StepUpRequired(stepUpChallenge(response));
}

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
  const sentAt = Date.now();
  let response = await send();
  if (response.status === 401) {
    const reason = await refusalReason(response);
    if (reason === 'authentication_insufficient') throw stepUpRequired(response);
    if (!REFRESHABLE.has(reason)) {
      showLoggedOut('Your session has ended (' + (reason || 'no reason given') + '). Log in again.');
      throw new ApiError('login required');
    }
    // a refresh that finished while this call was under way already fixed it
    await refreshOrStop(refreshesDone > refreshesBefore ? 'ok' : await refreshOnce(sentAt));
    response = await send();
    // the fresh token keeps its login's auth_time: it may still be too old for the route
    if (response.status === 401 && (await refusalReason(response)) === 'authentication_insufficient')
      throw stepUpRequired(response);
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

function todoItem(todo) {
  const li = item(todo.title, 'todo-title');
  li.dataset.id = todo.id;
  const remove = document.createElement('button');
  remove.type = 'button';
  remove.className = 'todo-delete';
  remove.textContent = 'Delete';
  remove.addEventListener('click', () =>
    run(async () => {
      await apiFetch(config.todoApiUrl + '/todos/' + encodeURIComponent(todo.id), { method: 'DELETE' });
      removeTodo(todo.id);
    }),
  );
  li.append(' ', remove);
  return li;
}

const renderTodos = (todos) => $('todo-list').replaceChildren(...todos.map(todoItem));
const todoShown = (id) => [...$('todo-list').children].some((li) => li.dataset.id === id);

// Idempotent: an action's own answer and the live event that follows it show one todo.
function addTodo(todo) {
  if (todo && typeof todo.id === 'string' && !todoShown(todo.id)) $('todo-list').append(todoItem(todo));
}

function removeTodo(id) {
  for (const li of [...$('todo-list').children]) if (li.dataset.id === id) li.remove();
}

async function loadTodos() {
  renderTodos(await apiFetch(config.todoApiUrl + '/todos'));
}

${PAGE_LIVE_SCRIPT}
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

// The action a step-up login interrupted, in this tab only: sessionStorage, not the URL.
const STEP_UP_KEY = 'web.step-up';
const STEP_UP_WITHIN_MS = 10 * 60 * 1000;

function stepUpThen(action, challenge) {
  if (!challenge.toString()) throw showError('The API asks for a stronger sign-in but names none.');
  sessionStorage.setItem(STEP_UP_KEY, JSON.stringify({ action, sub: claims.sub, at: Date.now() }));
  showError('This needs a recent sign-in with a second factor: signing in again…');
  location.assign('/login?' + challenge);
}

// Read once: whatever happens next, a page load never retries twice.
function takePendingStepUp() {
  const saved = sessionStorage.getItem(STEP_UP_KEY);
  sessionStorage.removeItem(STEP_UP_KEY);
  try {
    const pending = JSON.parse(saved);
    if (pending && pending.sub === claims.sub && Date.now() - pending.at < STEP_UP_WITHIN_MS) return pending.action;
  } catch {
    // not ours, or damaged: nothing to retry
  }
  return undefined;
}

async function deleteAllTodos(afterStepUp) {
  try {
    await apiFetch(config.todoApiUrl + '/todos', { method: 'DELETE' });
  } catch (error) {
    if (!(error instanceof StepUpRequired)) throw error;
    // once only: a login that did not bring what the API asks for must not loop
    if (afterStepUp) {
      await loadTodos();
      throw showError('todo-api still asks for a stronger sign-in (' + error.challenge + ').');
    }
    stepUpThen('delete-all', error.challenge);
    throw error;
  }
  await loadTodos();
}

function showLoggedOut(message) {
  if (!live.stopped) stopLive();
  $('user-name').textContent = '';
  $('login').hidden = false;
  $('logout-form').hidden = true;
  $('app').hidden = true;
  if (message) $('error').textContent = message;
}

$('todo-delete-all').addEventListener('click', () => run(() => deleteAllTodos(false)));

if (config.proxyUrl) $('proxy-load').addEventListener('click', () => run(loadTodosThroughProxy));

$('todo-form').addEventListener('submit', (event) => {
  event.preventDefault();
  run(async () => {
    const todo = await apiFetch(config.todoApiUrl + '/todos', { method: 'POST', body: JSON.stringify({ title: $('todo-title').value }) });
    $('todo-title').value = '';
    addTodo(todo);
  });
});

const claims = idTokenClaims();
if (!claims) {
  showLoggedOut();
} else {
  $('user-name').textContent = claims.name || claims.email || claims.sub;
  $('logout-form').hidden = false;
  $('app').hidden = false;
  const retry = takePendingStepUp();
  // live updates once the first list is shown: no snapshot of the page's overwrites a live event
  run(() => Promise.all([retry === 'delete-all' ? deleteAllTodos(true) : loadTodos(), loadTickets()]))
    .then(() => connectLive())
    .catch((error) => stopLive('Live updates are unavailable: ' + error.message));
}
`;
