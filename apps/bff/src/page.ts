/**
 * The BFF's page. It holds no token and reads no token cookie: its script (`/app.js`) only calls
 * the BFF's own `/session` and `/api/*` routes and opens its `/live` WebSocket, and the session
 * cookie (HttpOnly) rides along.
 * Script and style are files of their own, so the CSP needs no `'unsafe-inline'`.
 */
export const PAGE_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>BFF demo: server-side sessions</title>
<link rel="stylesheet" href="/app.css">
<script src="/app.js" defer></script>
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
  <h2>Todos (todo-api) <span id="live-status" data-state="offline" role="status">offline</span></h2>
  <p class="note">Live: the page keeps a WebSocket open to this server's <code>/live</code>, which relays todo-api's
  <code>/live</code> with the session's token, so todos added or deleted elsewhere show here at once.</p>
  <ul id="todo-list"></ul>
  <form id="todo-form"><input id="todo-title" placeholder="New todo" required> <button id="todo-add">Add</button></form>
  <h2>Tickets (help-api)</h2>
  <ul id="ticket-list"></ul>
</section>
</body>
</html>`;

/** The page's style, served as `/app.css`. */
export const PAGE_STYLE = `body { font-family: system-ui, sans-serif; max-width: 40rem; margin: 2rem auto; color: #1b1f24; }
header { display: flex; justify-content: space-between; align-items: center; }
#error { color: #b3261e; min-height: 1.2em; }
li { margin: .2rem 0; }
.note { color: #57606a; font-size: .9rem; }
#live-status { font-size: .8rem; font-weight: normal; padding: .1rem .4rem; border-radius: .6rem; background: #eaeef2; }
#live-status[data-state="live"] { background: #dafbe1; color: #116329; }
#live-status[data-state="stopped"] { background: #ffebe9; color: #a40e26; }
`;
