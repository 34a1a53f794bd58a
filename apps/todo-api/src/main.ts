import 'reflect-metadata';
import { runSampleApi } from '../../shared/src/sample-api.js';
import { TodoApiModule } from './todo-api.module.js';

await runSampleApi('todo-api', { port: 3001, audience: 'todo-api' }, (options) => TodoApiModule.forRoot(options));
