import js from '@eslint/js';
import tseslint from 'typescript-eslint';

// The library's layering (STYLE.md): the tree reads like the request path and imports run one
// way. Each folder may import only the folders listed here; only passport/ knows Passport.
const LIB = 'libs/resource-server/src';
const FOLDERS = [
  'config',
  'errors',
  'claims',
  'extraction',
  'discovery',
  'jwt',
  'verification',
  'dpop',
  'binding',
  'introspection',
  'passport',
  'authorization',
  'metadata',
  'health',
  'module',
  'doctor',
  'testing',
  'openapi',
  'telemetry',
  'transports',
  'websockets',
];
const MAY_IMPORT = {
  config: [],
  errors: [],
  claims: ['errors'],
  extraction: ['errors'],
  discovery: ['errors'],
  jwt: ['errors', 'claims', 'discovery'],
  verification: ['errors', 'claims', 'extraction'],
  introspection: ['errors', 'claims', 'discovery', 'verification'],
  dpop: ['errors'],
  binding: ['errors', 'claims', 'verification', 'dpop'],
  // how a Nest context (HTTP, GraphQL, WebSocket, RPC) carries a token and its verified claims
  transports: ['errors', 'claims', 'extraction', 'verification'],
  authorization: ['errors', 'claims', 'extraction', 'verification', 'telemetry', 'transports'],
  passport: ['errors', 'claims', 'extraction', 'verification', 'jwt', 'authorization', 'transports'],
  metadata: ['authorization'],
  health: ['jwt', 'introspection'],
  module: FOLDERS.filter((folder) => !['module', 'testing', 'openapi', 'doctor', 'websockets'].includes(folder)),
  // the command line sits above the module, as an app does: it builds the module to run its pipeline
  doctor: FOLDERS.filter((folder) => !['doctor', 'testing', 'openapi', 'websockets'].includes(folder)),
  testing: [],
  // an entry of its own (like index.ts): reads the module's tokens, never the other way
  openapi: ['config', 'errors', 'discovery', 'authorization', 'module'],
  telemetry: ['errors'],
  // the WebSocket adapters' entries (`/ws`, `/socket.io`): the module's stages on a handshake
  websockets: ['errors', 'claims', 'extraction', 'verification', 'authorization', 'telemetry', 'transports'],
};
const PASSPORT_PACKAGES = ['passport', 'passport-jwt', '@nestjs/passport'];
const layering = FOLDERS.map((folder) => ({
  files: [`${LIB}/${folder}/**/*.ts`],
  ignores: ['**/*.spec.ts'],
  rules: {
    'no-restricted-imports': [
      'error',
      {
        paths:
          folder === 'passport'
            ? []
            : PASSPORT_PACKAGES.map((name) => ({ name, message: 'Only passport/ knows Passport.' })),
        patterns: [
          {
            group: FOLDERS.filter((other) => other !== folder && !MAY_IMPORT[folder].includes(other)).flatMap(
              (other) => [`../${other}/*`, `../../${other}/*`],
            ),
            message: `${folder}/ may import only ${MAY_IMPORT[folder].join(', ') || 'no other folder'} (STYLE.md, layout).`,
          },
        ],
      },
    ],
  },
}));

export default tseslint.config(
  { ignores: ['**/dist/**', 'node_modules/**', 'coverage/**', 'test-artifacts/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    // decorator metadata needs value imports of injected classes
    languageOptions: { parserOptions: { emitDecoratorMetadata: true, experimentalDecorators: true } },
    rules: {
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'off',
    },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    languageOptions: {
      globals: Object.fromEntries(
        [
          'process',
          'console',
          'URL',
          'URLSearchParams',
          'setTimeout',
          'clearTimeout',
          'setInterval',
          'clearInterval',
          'Buffer',
          'performance',
          'fetch',
          'AbortSignal',
        ].map((name) => [name, 'readonly']),
      ),
    },
  },
  ...layering,
);
