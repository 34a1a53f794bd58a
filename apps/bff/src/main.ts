import 'reflect-metadata';
import { configOrExit } from '../../shared/src/env.js';
import { bffConfigFromEnv } from './bff-config.js';
import { startBff } from './bff.js';
import { dpopKeyThumbprint } from './dpop-key.js';

const config = configOrExit('bff', () => bffConfigFromEnv(process.env));
const bff = await startBff(config);
// the thumbprint is public (every proof carries the key's public half): replicas must show the same
const tokens = config.dpopKey ? `DPoP-bound tokens, key ${dpopKeyThumbprint(config.dpopKey)}` : 'bearer tokens';
console.log(
  `bff listening on ${bff.url} (issuer ${config.issuer}, sessions in ${config.redisUrl ? 'Redis' : 'memory'}, ${tokens}; readiness at /health/ready)`,
);
