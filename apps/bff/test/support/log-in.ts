import { Browser, formAction } from '../../../../test/support/fetch-browser.js';

/**
 * Logs `username` (password = username, the dev users) in through the BFF at `origin`: `/login`,
 * the provider's form, `/callback`. Resolves with the browser holding the session cookie.
 */
export async function logInThroughBff(origin: string, username: string, browser = new Browser()): Promise<Browser> {
  const callback = await codeForCallback(origin, username, browser);
  const landed = await browser.request(callback);
  if (landed.status !== 302 || landed.headers.get('location') !== '/')
    throw new Error(`callback answered ${landed.status} ${await landed.text()}`);
  return browser;
}

/** Stops at the callback: the URL with the provider's `code` and `state`, not yet followed. */
export async function codeForCallback(origin: string, username: string, browser: Browser): Promise<URL> {
  const page = await browser.follow(`${origin}/login`, `${origin}/callback`);
  if (!page.response) throw new Error(`no login page: ${page.url.href}`);
  const html = await page.response.text();
  const back = await browser.submit(formAction(html, page.url), { username, password: username }, `${origin}/callback`);
  return back.url;
}
