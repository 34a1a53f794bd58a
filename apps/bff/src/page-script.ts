/**
 * The page's JavaScript, served as `/app.js`. The BFF refreshes tokens itself (only when an
 * API answers `reason: "token_expired"`), so the page never refreshes: a 401 from `/api/*`
 * means the user must log in again, and the page says so and offers the login link.
 */
export const PAGE_SCRIPT = `'use strict';
const $ = (id) => document.getElementById(id);

function showLoggedOut(message) {
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

async function load() {
  const todos = await api('/api/todos');
  $('todo-list').replaceChildren(...todos.map((t) => {
    const button = document.createElement('button'); button.textContent = 'Delete'; button.className = 'todo-delete';
    button.onclick = () => api('/api/todos/' + encodeURIComponent(t.id), { method: 'DELETE' }).then(load).catch(() => {});
    return item(t.title, button);
  }));
  const tickets = await api('/api/tickets');
  $('ticket-list').replaceChildren(...tickets.map((t) => item(t.subject)));
}

$('todo-form').onsubmit = (event) => {
  event.preventDefault();
  api('/api/todos', { method: 'POST', body: JSON.stringify({ title: $('todo-title').value }) })
    .then(() => { $('todo-title').value = ''; $('error').textContent = ''; return load(); }).catch(() => {});
};

fetch('/session').then((r) => r.ok ? r.json() : null).then((s) => {
  if (!s) return showLoggedOut();
  $('user-name').textContent = s.user.name || s.user.sub;
  $('logout-form').hidden = false; $('app').hidden = false;
  return load().catch(() => {});
});
`;
