/**
 * A browser stand-in: fetch without following redirects, with its own cookies (one jar for
 * every host; paths and expiry dates other than the epoch are ignored).
 */
export class Browser {
  private readonly cookies = new Map<string, string>();

  /** One request; stores the cookies the answer sets (an expired or empty one removes it). */
  async request(url: string | URL, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    if (this.cookies.size > 0)
      headers.set('cookie', [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; '));
    const response = await fetch(url, { ...init, headers, redirect: 'manual' });
    for (const line of response.headers.getSetCookie()) {
      const [pair = ''] = line.split(';');
      const name = pair.slice(0, pair.indexOf('=')).trim();
      const value = pair.slice(pair.indexOf('=') + 1).trim();
      const expired = /expires=Thu, 01 Jan 1970/i.test(line) || value === '';
      if (expired) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    return response;
  }

  /** Follows GET redirects until a page, or until the browser is sent to `stopAt` (not fetched). */
  async follow(url: string | URL, stopAt: string): Promise<{ url: URL; response?: Response }> {
    let current = new URL(url);
    for (let hops = 0; hops < 10; hops++) {
      if (current.href.startsWith(stopAt)) return { url: current };
      const response = await this.request(current);
      const location = response.headers.get('location');
      if (response.status < 300 || response.status >= 400 || !location) return { url: current, response };
      current = new URL(location, current);
    }
    throw new Error(`too many redirects from ${String(url)}`);
  }

  /** Posts a form as the browser would, then follows the redirects like `follow`. */
  async submit(url: string | URL, fields: Record<string, string>, stopAt: string) {
    const response = await this.request(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(fields).toString(),
    });
    const location = response.headers.get('location');
    if (response.status < 300 || response.status >= 400 || !location) return { url: new URL(url), response };
    return this.follow(new URL(location, url), stopAt);
  }
}

/** The login form's action (`/interaction/<uid>/login`) on a page, resolved against its URL. */
export function formAction(html: string, pageUrl: URL): URL {
  const action = /<form[^>]*action="([^"]+)"/.exec(html)?.[1];
  if (!action) throw new Error(`no form on ${pageUrl.href}:\n${html}`);
  return new URL(action.replace(/&amp;/g, '&'), pageUrl);
}
