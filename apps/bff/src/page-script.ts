/**
 * The page's JavaScript, served as `/app.js`. The BFF refreshes tokens itself (only when an
 * API answers `reason: "token_expired"`), so the page never refreshes: a 401 from `/api/*`
 * means the user must log in again, and the page says so and offers the login link.
 *
 * Live updates: once the lists are shown, the page opens the BFF's own `/live` WebSocket (the
 * session cookie and this page's Origin authenticate it). The BFF sends the list (`todos`) each
 * time its upstream socket to todo-api opens, then `todo.created` / `todo.deleted`; a token
 * expiry is the BFF's to handle, and the page's socket stays open through it. A close with 4401
 * means "log in again" (the reason says why); a socket refused at the handshake (1006 to a
 * browser) or dropped costs one check of `/session` and one more try after a second; a second
 * failure in a row stops live updates and says so, so nothing loops.
 */
export const PAGE_SCRIPT = `'use strict';
const $ = (id) => document.getElementById(id);

function showLoggedOut(message) {
  if (!live.stopped) stopLive();
  $('login').hidden = false; $('logout-form').hidden = true; $('app').hidden = true; $('user-name').textContent = '';
  if (message) $('error').textContent = message;
}

async function api(path, init = {}) {
  const response = await fetch(path, { ...init, headers: { 'content-type': 'application/json', ...init.headers } });
  const body = response.status === 204 ? null : await response.json().catch(() => null);
  if (response.status === 401) {
    // the BFF already refreshed if the token had only expired: this is "log in again"
    const why = body && body.reason ? ' (' + body.reason + ')' : '';
    showLoggedOut('Your session has ended' + why + ': please log in again.');
    throw new Error('401');
  }
  if (!response.ok) {
    $('error').textContent = response.status + ' ' + ((body && (body.error_description || body.message || body.error)) || response.statusText);
    throw new Error(String(response.status));
  }
  return body;
}

function item(text, extra) { const li = document.createElement('li'); li.textContent = text; if (extra) li.append(' ', extra); return li; }

function todoItem(t) {
  const button = document.createElement('button'); button.textContent = 'Delete'; button.className = 'todo-delete';
  button.onclick = () => api('/api/todos/' + encodeURIComponent(t.id), { method: 'DELETE' }).then(() => removeTodo(t.id)).catch(() => {});
  const li = item(t.title, button); li.dataset.id = t.id;
  return li;
}
const renderTodos = (todos) => $('todo-list').replaceChildren(...todos.map(todoItem));
// idempotent: the page's own answer and the live event that follows show one todo
function addTodo(t) {
  if (t && typeof t.id === 'string' && ![...$('todo-list').children].some((li) => li.dataset.id === t.id)) $('todo-list').append(todoItem(t));
}
function removeTodo(id) { for (const li of [...$('todo-list').children]) if (li.dataset.id === id) li.remove(); }

async function load() {
  renderTodos(await api('/api/todos'));
  const tickets = await api('/api/tickets');
  $('ticket-list').replaceChildren(...tickets.map((t) => item(t.subject)));
}

const live = { socket: null, stopped: false, retried: false };
function setLive(state, text) { $('live-status').dataset.state = state; $('live-status').textContent = text; }
function stopLive(message) {
  live.stopped = true; live.socket?.close(); live.socket = null; setLive('stopped', 'stopped');
  if (message) $('error').textContent = message;
}

function connectLive() {
  if (live.stopped || live.socket) return;
  setLive('connecting', 'connecting…');
  const socket = new WebSocket((location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + '/live');
  live.socket = socket;
  const opened = { answered: false };
  socket.onmessage = (message) => {
    let frame;
    try { frame = JSON.parse(message.data); } catch { return; }
    if (frame.event === 'todos' && Array.isArray(frame.data)) {
      renderTodos(frame.data); opened.answered = true; live.retried = false; setLive('live', 'live');
    } else if (frame.event === 'todo.created') addTodo(frame.data);
    else if (frame.event === 'todo.deleted' && frame.data) removeTodo(frame.data.id);
  };
  socket.onclose = (event) => {
    if (live.socket !== socket) return;
    live.socket = null;
    liveClosed(event, opened).catch((error) => stopLive(String(error)));
  };
}

async function liveClosed(event, opened) {
  if (live.stopped) return;
  if (event.code === 4401) {
    stopLive();
    return showLoggedOut('Your session has ended' + (event.reason ? ' (' + event.reason + ')' : '') + ': please log in again.');
  }
  if (live.retried || event.code === 1011) return stopLive('Live updates stopped: reload the page to try again.');
  live.retried = true;
  setLive('connecting', 'reconnecting…');
  if (!opened.answered && (await fetch('/session')).status === 401) {
    stopLive();
    return showLoggedOut('Your session has ended: please log in again.');
  }
  await new Promise((resolve) => setTimeout(resolve, 1000));
  connectLive();
}

$('todo-form').onsubmit = (event) => {
  event.preventDefault();
  api('/api/todos', { method: 'POST', body: JSON.stringify({ title: $('todo-title').value }) })
    .then((todo) => { $('todo-title').value = ''; $('error').textContent = ''; addTodo(todo); }).catch(() => {});
};

fetch('/session').then((r) => r.ok ? r.json() : null).then((s) => {
  if (!s) return showLoggedOut();
  $('user-name').textContent = s.user.name || s.user.sub;
  $('logout-form').hidden = false; $('app').hidden = false;
  // live updates once the lists are shown: no snapshot of the page's overwrites a live event
  return load().then(connectLive).catch(() => {});
});
`;
