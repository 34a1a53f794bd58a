import { Controller, Get } from '@nestjs/common';
import { Public } from 'nest-resource-server';

/** `GET /health`: public, answers even while the authorization server is down. */
@Public()
@Controller('health')
export class HealthController {
  @Get()
  health(): { status: 'ok' } {
    return { status: 'ok' };
  }
}
