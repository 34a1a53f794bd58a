import 'reflect-metadata';
import { bffConfigFromEnv } from './bff-config.js';
import { startBff } from './bff.js';

const config = bffConfigFromEnv(process.env);
if ('problems' in config) {
  for (const problem of config.problems) console.error(`bff: configuration error: ${problem}`);
  process.exit(1);
}
const bff = await startBff(config);
console.log(
  `bff listening on ${bff.url} (issuer ${config.issuer}, sessions in ${config.redisUrl ? 'Redis' : 'memory'}; readiness at /health/ready)`,
);
