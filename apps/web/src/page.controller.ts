import { Controller, Get, Inject, Res } from '@nestjs/common';
import type { Response } from 'express';
import { PAGE_SCRIPT } from './page-script.js';
import { pageContentSecurityPolicy, renderPage } from './page.js';
import type { WebConfig } from './web-config.js';
import { WEB_CONFIG } from './web.tokens.js';

/** The one page and its script. */
@Controller()
export class PageController {
  private readonly html: string;
  private readonly csp: string;

  constructor(@Inject(WEB_CONFIG) config: WebConfig) {
    this.html = renderPage(config);
    this.csp = pageContentSecurityPolicy(config);
  }

  @Get()
  page(@Res() response: Response): void {
    response.type('html').set({ 'cache-control': 'no-store', 'content-security-policy': this.csp }).send(this.html);
  }

  @Get('app.js')
  script(@Res() response: Response): void {
    response.type('text/javascript').set('cache-control', 'no-cache').send(PAGE_SCRIPT);
  }
}
