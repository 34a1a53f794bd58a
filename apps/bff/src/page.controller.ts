import { Controller, Get, Header } from '@nestjs/common';

/**
 * The BFF's page. It holds no token and reads no token cookie: it only calls the BFF's own
 * `/session` and `/api/*` routes, and the session cookie (HttpOnly) rides along.
 */
const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>BFF demo: server-side sessions</title>
<style>
  body { font-family: system-ui, sans-serif; max-width: 40rem; margin: 2rem auto; color: #1b1f24; }
  header { display: flex; justify-content: space-between; align-items: center; }
  #error { color: #b3261e; min-height: 1.2em; }
  li { margin: .2rem 0; }
</style>
</head>
<body>
<header>
  <h1>Backend-for-frontend</h1>
  <div><span id="user-name"></span>
    <a id="login" href="/login" hidden>Log in</a>
    <form id="logout-form" method="post" action="/logout" hidden><button id="logout">Log out</button></form>
  </div>
</header>
<p>The tokens live in this server's session; the browser holds only an HttpOnly session cookie.</p>
<p id="error" role="alert"></p>
<section id="app" hidden>
  <h2>Todos (todo-api)</h2>
  <ul id="todo-list"></ul>
  <form id="todo-form"><input id="todo-title" placeholder="New todo" required> <button id="todo-add">Add</button></form>
  <h2>Tickets (help-api)</h2>
  <ul id="ticket-list"></ul>
</section>
<script>
const $ = (id) => document.getElementById(id);
async function api(path, init = {}) {
  const response = await fetch(path, { ...init, headers: { 'content-type': 'application/json', ...init.headers } });
  const body = response.status === 204 ? null : await response.json().catch(() => null);
  if (!response.ok) {
    $('error').textContent = response.status + ' ' + ((body && (body.error_description || body.error)) || response.statusText);
    if (response.status === 401) showLoggedOut();
    throw new Error(String(response.status));
  }
  return body;
}
function item(text, extra) { const li = document.createElement('li'); li.textContent = text; if (extra) li.append(' ', extra); return li; }
function showLoggedOut() { $('login').hidden = false; $('logout-form').hidden = true; $('app').hidden = true; $('user-name').textContent = ''; }
async function load() {
  const todos = await api('/api/todos');
  $('todo-list').replaceChildren(...todos.map((t) => {
    const button = document.createElement('button'); button.textContent = 'Delete'; button.className = 'todo-delete';
    button.onclick = () => api('/api/todos/' + t.id, { method: 'DELETE' }).then(load).catch(() => {});
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
</script>
</body>
</html>`;

@Controller()
export class PageController {
  @Get()
  @Header('content-type', 'text/html; charset=utf-8')
  @Header('cache-control', 'no-store')
  @Header('content-security-policy', "default-src 'self'; script-src 'unsafe-inline'; style-src 'unsafe-inline'")
  page(): string {
    return PAGE;
  }
}
