import 'reflect-metadata';
import { webConfigFromEnv } from './web-config.js';
import { startWeb } from './web.js';

const config = webConfigFromEnv(process.env);
if ('problems' in config) {
  for (const problem of config.problems) console.error(`web: configuration error: ${problem}`);
  process.exit(1);
}
const web = await startWeb(config);
console.log(`web listening on ${web.url} (origin ${config.origin}, issuer ${config.issuer})`);
