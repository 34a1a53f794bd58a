import type { WebConfig } from './web-config.js';

/**
 * The page's HTML. The API URLs travel in a JSON data block (not executed, so the CSP needs
 * no inline script), with `<` escaped so that no value can close the block. The proxy section
 * shows only with a `proxyUrl`, the BFF section only with a `bffUrl`.
 */
export function renderPage(config: Pick<WebConfig, 'todoApiUrl' | 'helpApiUrl' | 'proxyUrl' | 'bffUrl'>): string {
  const pageConfig = JSON.stringify({
    todoApiUrl: config.todoApiUrl,
    helpApiUrl: config.helpApiUrl,
    proxyUrl: config.proxyUrl,
  }).replace(/</g, '\\u003c');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Web demo: tokens in cookies</title>
<style>
  body { font-family: system-ui, sans-serif; max-width: 40rem; margin: 2rem auto; padding: 0 1rem; color: #1b1f24; }
  header { display: flex; justify-content: space-between; align-items: center; gap: 1rem; }
  [hidden] { display: none !important; }
  header form { display: inline; }
  #user-name { font-weight: 600; }
  #error { color: #b3261e; min-height: 1.2em; }
  li { margin: .25rem 0; }
  .note { color: #57606a; font-size: .9rem; }
  #live-status { font-size: .8rem; font-weight: normal; padding: .1rem .4rem; border-radius: .6rem; background: #eaeef2; }
  #live-status[data-state="live"] { background: #dafbe1; color: #116329; }
  #live-status[data-state="stopped"] { background: #ffebe9; color: #a40e26; }
</style>
<script id="config" type="application/json">${pageConfig}</script>
<script src="/app.js" defer></script>
</head>
<body>
<header>
  <h1>Todos and tickets</h1>
  <div>
    <span id="user-name"></span>
    <a id="login" href="/login" hidden>Log in</a>
    <form id="logout-form" method="post" action="/logout" hidden><button id="logout" type="submit">Log out</button></form>
  </div>
</header>
<p class="note">The page calls todo-api and help-api directly. The access token rides along in an HttpOnly
cookie the page cannot read; the id token cookie only provides the name above.</p>
<p id="error" role="alert"></p>
<section id="app" hidden>
  <h2>Todos <small>(todo-api)</small> <span id="live-status" data-state="offline" role="status">offline</span></h2>
  <p class="note" id="live-note">Live: the page keeps a WebSocket open to todo-api's <code>/live</code> (the same cookie,
  checked with this page's <code>Origin</code>), so todos added or deleted elsewhere show here at once.</p>
  <ul id="todo-list"></ul>
  <form id="todo-form">
    <input id="todo-title" placeholder="New todo" required maxlength="200" autocomplete="off">
    <button id="todo-add" type="submit">Add</button>
  </form>
  <p><button id="todo-delete-all" type="button">Delete all</button>
  <span class="note">todo-api asks for a recent sign-in with a second factor first (step-up): the page sends you to
  sign in again, then deletes.</span></p>
  <h2>Tickets <small>(help-api)</small></h2>
  <ul id="ticket-list"></ul>
  <section id="proxy-section"${config.proxyUrl ? '' : ' hidden'}>
    <h2>Through the proxy <small>(proxy, then todo-api)</small></h2>
    <p class="note">The same todos, fetched from the proxy with the same cookie. The proxy validates
    <code>app.at</code> like any API, then forwards the call to todo-api on another host name (127.0.0.1),
    which never receives this cookie, with <code>Authorization: Bearer</code>.</p>
    <button id="proxy-load" type="button">Load todos through the proxy</button>
    <ul id="proxy-todo-list"></ul>
  </section>
</section>
${config.bffUrl ? bffSection(config.bffUrl) : ''}</body>
</html>
`;
}

function bffSection(bffUrl: string): string {
  return `<section id="bff-section">
  <h2>Backend-for-frontend</h2>
  <p class="note">The same todos and tickets with no token in the browser at all: <a id="bff-link" href="${escapeHtml(bffUrl)}">${escapeHtml(bffUrl)}</a>
  keeps the tokens in a server-side session and gives the browser only a session cookie.</p>
</section>
`;
}

function escapeHtml(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** todo-api's live updates, `ws(s)://…/live`: the WebSocket form of `todoApiUrl` (never a token in it). */
export function todoLiveUrl(todoApiUrl: string): string {
  return `${todoApiUrl.replace(/^http/, 'ws')}/live`;
}

/**
 * The page's Content-Security-Policy: scripts from this origin only, fetches to this origin,
 * the two APIs and the proxy (when set), the WebSocket to todo-api's `/live`, and forms to this origin and the provider (the
 * logout form's redirect goes to its end_session_endpoint).
 */
export function pageContentSecurityPolicy(
  config: Pick<WebConfig, 'todoApiUrl' | 'helpApiUrl' | 'proxyUrl' | 'issuer'>,
): string {
  const origin = (url: string) => new URL(url).origin;
  const connect = [
    config.todoApiUrl,
    // spelled out: not every browser lets an http(s) source cover ws(s) (CSP3 §6.7.2.8 does)
    todoLiveUrl(config.todoApiUrl),
    config.helpApiUrl,
    ...(config.proxyUrl ? [config.proxyUrl] : []),
  ].map(origin);
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'unsafe-inline'",
    `connect-src 'self' ${connect.join(' ')}`,
    `form-action 'self' ${origin(config.issuer)}`,
    "frame-ancestors 'none'",
    "base-uri 'none'",
  ].join('; ');
}
