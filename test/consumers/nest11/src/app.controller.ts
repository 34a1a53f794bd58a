import { Controller, Get } from '@nestjs/common';
import { Claims, Public, RequireScope } from 'nest-resource-server';
import { AppService } from './app.service';

@Controller()
export class AppController {
  // injected by type: proves decorator metadata reaches Nest in this build
  constructor(private readonly appService: AppService) {}

  @Public()
  @Get('health')
  health(): { status: string } {
    return { status: this.appService.status() };
  }

  @Get('me')
  me(@Claims() claims: { sub?: string }): { sub?: string } {
    return { sub: claims.sub };
  }

  @RequireScope('todo:write')
  @Get('admin')
  admin(): { admin: boolean } {
    return { admin: true };
  }
}
