import { describe, expect, it } from '@jest/globals';
import { pageContentSecurityPolicy, renderPage } from './page.js';

describe('renderPage', () => {
  it('embeds the API URLs as JSON that no value can break out of', () => {
    const html = renderPage({
      todoApiUrl: 'https://todo.example.com',
      helpApiUrl: 'https://x.example.com/</script><b>',
    });
    expect(html).toContain(
      '<script id="config" type="application/json">{"todoApiUrl":"https://todo.example.com","helpApiUrl":"https://x.example.com/\\u003c/script>\\u003cb>"}</script>',
    );
    expect(html.match(/<\/script>/g)).toHaveLength(2); // the config block's and app.js's
  });
});

describe('pageContentSecurityPolicy', () => {
  it('lets the page fetch only from itself and the two API origins', () => {
    expect(
      pageContentSecurityPolicy({
        todoApiUrl: 'https://todo.example.com/v1',
        helpApiUrl: 'https://help.example.com',
        issuer: 'https://auth.example.com/tenant',
      }),
    ).toBe(
      "default-src 'none'; script-src 'self'; style-src 'unsafe-inline'; " +
        "connect-src 'self' https://todo.example.com https://help.example.com; " +
        "form-action 'self' https://auth.example.com; frame-ancestors 'none'; base-uri 'none'",
    );
  });
});
