import { DEV_USERS } from './dev-users.js';

/** Shown under the login form when the username or password is wrong. */
export const INVALID_LOGIN_MESSAGE = 'Invalid username or password';

/**
 * The login page of interaction `uid`: a form posting `username` and `password` to
 * `/interaction/<uid>/login`, an optional error, and the seeded users (a dev server: no secrets).
 */
export function loginPage(uid: string, options: { clientId?: string; error?: string; username?: string } = {}): string {
  const users = DEV_USERS.map(
    (user) =>
      `<li><code>${escapeHtml(user.username)}</code> / <code>${escapeHtml(user.password)}</code>: ` +
      `${escapeHtml(user.name)}, roles ${escapeHtml(JSON.stringify(user.roles))}</li>`,
  ).join('');
  const error = options.error ? `<p class="error" role="alert">${escapeHtml(options.error)}</p>` : '';
  const client = options.clientId ? ` to <strong>${escapeHtml(options.clientId)}</strong>` : '';
  return layout(
    'Sign in',
    `<h1>Sign in${client}</h1>
    ${error}
    <form method="post" action="/interaction/${encodeURIComponent(uid)}/login" autocomplete="off">
      <label>Username <input name="username" value="${escapeHtml(options.username ?? '')}" required autofocus></label>
      <label>Password <input name="password" type="password" required></label>
      <button type="submit">Sign in</button>
    </form>
    <p>Development users:</p>
    <ul>${users}</ul>`,
  );
}

/** Shown on the one-time code page when the code is wrong. */
export const INVALID_CODE_MESSAGE = 'Invalid one-time code';

/**
 * The second step of a login that asks for `mfa` (see `step-up.ts`): a form posting `code` to
 * `/interaction/<uid>/otp`, an optional error, and the code itself, printed on the page in place
 * of an SMS or an authenticator app (`#dev-code`): development only.
 */
export function oneTimeCodePage(
  uid: string,
  options: { code: string; username: string; clientId?: string; error?: string },
): string {
  const error = options.error ? `<p class="error" role="alert">${escapeHtml(options.error)}</p>` : '';
  const client = options.clientId ? ` for <strong>${escapeHtml(options.clientId)}</strong>` : '';
  return layout(
    'Second factor',
    `<h1>Second factor${client}</h1>
    <p>Signed in as <code>${escapeHtml(options.username)}</code> with a password. This sign-in asks for a one-time code too.</p>
    ${error}
    <form method="post" action="/interaction/${encodeURIComponent(uid)}/otp" autocomplete="off">
      <label>One-time code <input name="code" inputmode="numeric" autocomplete="one-time-code" pattern="[0-9]{6}" maxlength="6" required autofocus></label>
      <button type="submit">Verify</button>
    </form>
    <p class="dev">DEV ONLY: the code of this sign-in is <code id="dev-code">${escapeHtml(options.code)}</code>
    (a real server would send it by SMS or e-mail, or ask an authenticator app).</p>`,
  );
}

/**
 * The RP-initiated logout page: oidc-provider's form, with `logout=yes` added (end the whole
 * session, not just this client's). With `confirm: false` (the request's `id_token_hint` names
 * this session's user) a script submits it, so the browser goes on to
 * `post_logout_redirect_uri` without a click; the button is the fallback without JavaScript.
 * With `confirm: true` (no hint, or another user's) the user must click: a link on any page
 * must not sign anyone out.
 */
export function logoutPage(form: string, options: { confirm: boolean } = { confirm: true }): string {
  const withLogout = form.replace('</form>', '<input type="hidden" name="logout" value="yes"/></form>');
  if (options.confirm)
    return layout(
      'Sign out?',
      `<h1>Sign out of the dev authorization server?</h1>
    ${withLogout}
    <button type="submit" form="op.logoutForm">Sign out</button>`,
    );
  return layout(
    'Signing out',
    `<h1>Signing out…</h1>
    ${withLogout}
    <button type="submit" form="op.logoutForm">Sign out</button>
    <script>document.getElementById('op.logoutForm').submit();</script>`,
  );
}

/** Error page for failed authorization requests (`renderError`): the error code and its description only. */
export function errorPage(out: Record<string, unknown>): string {
  const rows = Object.entries(out)
    .map(([key, value]) => `<dt>${escapeHtml(key)}</dt><dd>${escapeHtml(String(value))}</dd>`)
    .join('');
  return layout('Error', `<h1>Something went wrong</h1><dl>${rows}</dl>`);
}

function layout(title: string, content: string): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>${escapeHtml(title)} · dev authorization server</title>
  <style>
    body { font-family: system-ui, sans-serif; max-width: 26rem; margin: 3rem auto; padding: 0 1rem; }
    label { display: block; margin: 0.5rem 0; } input { display: block; width: 100%; padding: 0.4rem; }
    button { margin-top: 0.75rem; padding: 0.5rem 1rem; } .error { color: #b00020; }
  </style>
</head>
<body>
  ${content}
</body>
</html>`;
}

/** Escapes text for HTML element content and double-quoted attribute values. */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
