import 'reflect-metadata';
import { configOrExit } from '../../shared/src/env.js';
import { webConfigFromEnv } from './web-config.js';
import { startWeb } from './web.js';

const config = configOrExit('web', () => webConfigFromEnv(process.env));
const web = await startWeb(config);
console.log(`web listening on ${web.url} (origin ${config.origin}, issuer ${config.issuer})`);
