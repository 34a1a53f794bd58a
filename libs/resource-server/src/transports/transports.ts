import { graphqlTransport } from './graphql.transport.js';
import { httpTransport, type Transport } from './transport.js';
import { rpcTransport } from './rpc-transport.js';
import { wsTransport } from './ws-transport.js';

/**
 * The transports the guard knows, by `context.getType()`. A context of any other type is
 * refused unless its handler is `@Public()` (secure by default).
 * @internal
 */
export const TRANSPORTS: Readonly<Record<string, Transport | undefined>> = {
  http: httpTransport,
  ws: wsTransport,
  rpc: rpcTransport,
  graphql: graphqlTransport,
};

/** The transport of `context`, if the guard knows it. @internal */
export function transportOf(type: string): Transport | undefined {
  return TRANSPORTS[type];
}
