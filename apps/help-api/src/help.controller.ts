import { Controller, Get, Post } from '@nestjs/common';
import { Claim, Public, RequireRole, RequireScope } from 'nest-resource-server';
import { JsonBody } from '../../shared/src/json-body.decorator.js';
import { textField } from '../../shared/src/text-field.js';
import { TicketsService, type Ticket } from './tickets.service.js';

const ARTICLES = [
  { id: 'getting-started', title: 'Getting started' },
  { id: 'reset-password', title: 'Resetting your password' },
];

/** Help center: public articles, per-user tickets, and a support queue. */
@Controller()
export class HelpController {
  constructor(private readonly tickets: TicketsService) {}

  @Public()
  @Get('articles')
  articles(): typeof ARTICLES {
    return ARTICLES;
  }

  /** Any valid token: the caller's tickets. */
  @Get('tickets')
  list(@Claim('sub') sub: string): Ticket[] {
    return this.tickets.listFor(sub);
  }

  /** Scope `help:write`. */
  @RequireScope('help:write')
  @Post('tickets')
  open(@Claim('sub') sub: string, @JsonBody() body: unknown): Ticket {
    return this.tickets.open(sub, textField(body, 'subject', 200));
  }

  /** Role `support`: every ticket. */
  @RequireRole('support')
  @Get('admin/tickets')
  all(): Ticket[] {
    return this.tickets.all();
  }
}
