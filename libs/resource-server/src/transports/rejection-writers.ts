import type { RejectionWriters } from '../errors/rejection.js';
import { rpcRejectionWriter } from './rpc-transport.js';
import { wsRejectionWriter } from './ws-transport.js';
import { graphqlRejectionWriter } from './graphql-rejection.writer.js';

/**
 * How a refusal is answered outside plain HTTP, by `host.getType()`. A type without a
 * writer gets the error thrown back to Nest (its own handling for that transport).
 * @internal
 */
export const REJECTION_WRITERS: RejectionWriters = {
  ws: wsRejectionWriter,
  rpc: rpcRejectionWriter,
  graphql: graphqlRejectionWriter,
};
