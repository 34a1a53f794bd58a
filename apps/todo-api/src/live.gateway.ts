import { UseFilters } from '@nestjs/common';
import {
  SubscribeMessage,
  WebSocketGateway,
  type OnGatewayConnection,
  type OnGatewayDisconnect,
} from '@nestjs/websockets';
import { BearerErrorFilter, Claim, claimsOfConnection } from 'nest-resource-server';
import type { WebSocket } from 'ws';
import { TodosService, type Todo } from './todos.service.js';

/**
 * `ws://…/live`: the connected user's own todo changes, live (`todo.created`, `todo.deleted`),
 * never another user's. The handshake is verified once by `ResourceServerWsAdapter` (set by
 * `createSampleApi`): a token in `Authorization`, or the `app.at` cookie from a trusted
 * `Origin`; a refused one never reaches this class. The connection closes (4401
 * `token_expired`) when its token expires.
 */
@WebSocketGateway({ path: '/live' })
@UseFilters(BearerErrorFilter) // Nest applies no global filter to gateways: refusals are answered in-band
export class LiveGateway implements OnGatewayConnection<WebSocket>, OnGatewayDisconnect<WebSocket> {
  private readonly unwatch = new WeakMap<WebSocket, () => void>();

  constructor(private readonly todos: TodosService) {}

  handleConnection(client: WebSocket): void {
    const owner = claimsOfConnection(client)?.sub;
    if (typeof owner !== 'string') return; // a token without `sub` (a client's own) has no todos to follow
    const stop = this.todos.watch(owner, ({ type, todo }) =>
      client.send(JSON.stringify({ event: `todo.${type}`, data: todo })),
    );
    this.unwatch.set(client, stop);
  }

  handleDisconnect(client: WebSocket): void {
    this.unwatch.get(client)?.();
    this.unwatch.delete(client);
  }

  /** `{"event":"todos"}`: the caller's todos now, answered as `todos`. */
  @SubscribeMessage('todos')
  list(@Claim('sub') sub: string): { event: 'todos'; data: Todo[] } {
    return { event: 'todos', data: this.todos.listFor(sub) };
  }
}
