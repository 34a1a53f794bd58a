import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';

/** A support ticket, owned by the `sub` that opened it. */
export interface Ticket {
  readonly id: string;
  readonly owner: string;
  readonly subject: string;
  readonly status: 'open' | 'closed';
  readonly createdAt: string;
}

/** Tickets in memory. */
@Injectable()
export class TicketsService {
  private readonly tickets: Ticket[] = [];

  listFor(owner: string): Ticket[] {
    return this.tickets.filter((ticket) => ticket.owner === owner);
  }

  all(): Ticket[] {
    return [...this.tickets];
  }

  open(owner: string, subject: string): Ticket {
    const ticket: Ticket = { id: randomUUID(), owner, subject, status: 'open', createdAt: new Date().toISOString() };
    this.tickets.push(ticket);
    return ticket;
  }
}
