import { Controller, Get, HttpStatus, Inject, Res } from '@nestjs/common';
import type { Response } from 'express';
import { SESSION_STORE } from './bff.tokens.js';
import type { SessionStoreHealth } from './session-store.js';

/** One indicator in the `@nestjs/terminus` shape. */
type Indicator = Record<string, { status: 'up' | 'down'; [detail: string]: unknown }>;

/**
 * `GET /health`: liveness, always 200 while the process serves. `GET /health/ready`: whether the
 * BFF can serve a user now, in the shape of `@nestjs/terminus` (`status`, `info`, `error`,
 * `details`): 503 while the session store (Redis) is unreachable, 200 once it answers again.
 */
@Controller('health')
export class HealthController {
  constructor(@Inject(SESSION_STORE) private readonly store: SessionStoreHealth) {}

  @Get()
  health(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get('ready')
  async ready(@Res() response: Response): Promise<void> {
    const probe = await this.store.probe();
    const sessions: Indicator = {
      sessions: probe.up
        ? { status: 'up', store: this.store.kind }
        : { status: 'down', store: this.store.kind, message: probe.message },
    };
    response
      .status(probe.up ? HttpStatus.OK : HttpStatus.SERVICE_UNAVAILABLE)
      .setHeader('cache-control', 'no-store')
      .json({
        status: probe.up ? 'ok' : 'error',
        info: probe.up ? sessions : {},
        error: probe.up ? {} : sessions,
        details: sessions,
      });
  }
}
