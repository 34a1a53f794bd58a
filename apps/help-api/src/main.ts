import 'reflect-metadata';
import { runSampleApi } from '../../shared/src/sample-api.js';
import { HelpApiModule } from './help-api.module.js';

await runSampleApi('help-api', { port: 3002, audience: 'help-api' }, (options) => HelpApiModule.forRoot(options));
