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

  it('offers "Delete all" (todo-api\'s step-up route) beside the todo form', () => {
    const html = renderPage({ todoApiUrl: 'http://localhost:3001', helpApiUrl: 'http://localhost:3002' });
    expect(html).toContain('<button id="todo-delete-all" type="button">Delete all</button>');
  });

  it('hides the proxy section and leaves out the BFF section when neither URL is set', () => {
    const html = renderPage({ todoApiUrl: 'http://localhost:3001', helpApiUrl: 'http://localhost:3002' });
    expect(html).toContain('<section id="proxy-section" hidden>');
    expect(html).not.toContain('"proxyUrl"');
    expect(html).not.toContain('bff-section');
  });

  it('shows the proxy section with its URL in the config block, and links the BFF', () => {
    const html = renderPage({
      todoApiUrl: 'http://localhost:3001',
      helpApiUrl: 'http://localhost:3002',
      proxyUrl: 'http://localhost:3004',
      bffUrl: 'http://localhost:3005/?a=1&b="2"',
    });
    expect(html).toContain('<section id="proxy-section">');
    expect(html).toContain('"proxyUrl":"http://localhost:3004"');
    expect(html).toContain('<button id="proxy-load" type="button">');
    expect(html).toContain('<ul id="proxy-todo-list"></ul>');
    expect(html).toContain('<section id="bff-section">');
    expect(html).toContain('<a id="bff-link" href="http://localhost:3005/?a=1&amp;b=&quot;2&quot;">');
  });
});

describe('pageContentSecurityPolicy', () => {
  it("lets the page fetch only from itself and the two API origins, and open todo-api's /live", () => {
    expect(
      pageContentSecurityPolicy({
        todoApiUrl: 'https://todo.example.com/v1',
        helpApiUrl: 'https://help.example.com',
        issuer: 'https://auth.example.com/tenant',
      }),
    ).toBe(
      "default-src 'none'; script-src 'self'; style-src 'unsafe-inline'; " +
        "connect-src 'self' https://todo.example.com wss://todo.example.com https://help.example.com; " +
        "form-action 'self' https://auth.example.com; frame-ancestors 'none'; base-uri 'none'",
    );
  });

  it('lets the page fetch from the proxy too when it is set', () => {
    expect(
      pageContentSecurityPolicy({
        todoApiUrl: 'http://localhost:3001',
        helpApiUrl: 'http://localhost:3002',
        proxyUrl: 'http://localhost:3004/base',
        issuer: 'http://localhost:4000',
      }),
    ).toContain(
      "connect-src 'self' http://localhost:3001 ws://localhost:3001 http://localhost:3002 http://localhost:3004;",
    );
  });
});
