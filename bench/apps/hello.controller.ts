import { Controller, Get } from '@nestjs/common';

/** The one route every scenario serves: a GET answering a small JSON. */
@Controller()
export class HelloController {
  @Get('hello')
  hello(): { hello: string } {
    return { hello: 'world' };
  }
}
