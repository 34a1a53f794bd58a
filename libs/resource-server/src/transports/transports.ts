import { graphqlTransport } from './graphql.transport.js';
import { httpTransport, type Transport } from './transport.js';

/**
 * The transports the guard knows, by `context.getType()`. A context of any other type is
 * refused unless its handler is `@Public()` (secure by default).
 * @internal
 */
export const TRANSPORTS: Readonly<Record<string, Transport | undefined>> = {
  http: httpTransport,
  graphql: graphqlTransport,
};

/** The transport of `context`, if the guard knows it. @internal */
export function transportOf(type: string): Transport | undefined {
  return TRANSPORTS[type];
}
