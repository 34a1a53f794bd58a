// The `nest-resource-server/openapi` entry: needs `@nestjs/swagger` (an optional peer dependency).
export { REJECTION_SCHEMA, SECURITY_SCHEMES, createResourceServerDocument } from './resource-server-openapi.js';
export type { ResourceServerOpenApiOptions } from './resource-server-openapi.js';
