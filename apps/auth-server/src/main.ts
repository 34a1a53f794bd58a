import { configOrExit } from '../../shared/src/env.js';
import { authServerConfigFromEnv } from './auth-server-config.js';

const config = configOrExit('auth-server', () => authServerConfigFromEnv(process.env));

// loaded only now: importing oidc-provider prints its own notices, which must not crowd a config error
const { startAuthServer } = await import('./auth-server.js');
const server = await startAuthServer(config);
console.log(
  `auth-server listening on ${config.host ?? '*'}:${server.port} (issuer ${server.url}; DEV ONLY: users, sessions and grants in memory)`,
);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => void server.close().then(() => process.exit(0)));
}
