import { Browser, formAction } from '../../../../test/support/fetch-browser.js';

/**
 * Logs `username` (password = username, the dev users) in through the BFF at `origin`: `/login`,
 * the provider's form, `/callback`. Resolves with the browser holding the session cookie.
 */
export async function logInThroughBff(origin: string, username: string, browser = new Browser()): Promise<Browser> {
  const { callback } = await codeForCallback(origin, username, browser);
  const landed = await browser.request(callback);
  if (landed.status !== 302 || landed.headers.get('location') !== '/')
    throw new Error(`callback answered ${landed.status} ${await landed.text()}`);
  return browser;
}

/**
 * Starts a login at `<base>/login` and signs in at the provider, but stops before the callback.
 * @param callbackPrefix where the provider sends the browser back (default `<base>/callback`).
 * @returns the callback URL with the provider's `code` and `state`, not yet followed, and the
 *   `Set-Cookie` lines of the BFF's `/login` answer (the pre-login session cookie).
 */
export async function codeForCallback(
  base: string,
  username: string,
  browser: Browser,
  callbackPrefix = `${base}/callback`,
): Promise<{ callback: URL; setCookies: string[] }> {
  const start = await browser.request(`${base}/login`);
  const location = start.headers.get('location');
  if (start.status !== 302 || !location) throw new Error(`/login answered ${start.status}`);
  const page = await browser.follow(location, callbackPrefix);
  if (!page.response) throw new Error(`no login page: ${page.url.href}`);
  const html = await page.response.text();
  const back = await browser.submit(formAction(html, page.url), { username, password: username }, callbackPrefix);
  return { callback: back.url, setCookies: start.headers.getSetCookie() };
}
