import { Controller, Get, Header } from '@nestjs/common';
import { PAGE_HTML, PAGE_STYLE } from './page.js';
import { PAGE_SCRIPT } from './page-script.js';

/** The page and its script and style, each a file of its own (the CSP allows `'self'` only). */
@Controller()
export class PageController {
  @Get()
  @Header('content-type', 'text/html; charset=utf-8')
  @Header('cache-control', 'no-store')
  page(): string {
    return PAGE_HTML;
  }

  @Get('app.js')
  @Header('content-type', 'text/javascript; charset=utf-8')
  @Header('cache-control', 'no-cache')
  script(): string {
    return PAGE_SCRIPT;
  }

  @Get('app.css')
  @Header('content-type', 'text/css; charset=utf-8')
  @Header('cache-control', 'no-cache')
  style(): string {
    return PAGE_STYLE;
  }
}
