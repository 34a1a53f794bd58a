/** Jest in native ESM mode (NestJS 12 is ESM-only): ts-jest with useESM, run under --experimental-vm-modules. */
export default {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: '<rootDir>/tsconfig.json' }],
  },
  // `nest-resource-server` is not mapped: specs and apps load the built package (run
  // `npm run build` first; `npm test` does) through its `exports`, as a consumer does. Unit
  // specs beside the code in src/ import src/ by relative paths.
  moduleNameMapper: {
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
  testMatch: [
    '<rootDir>/libs/*/src/**/*.spec.ts',
    '<rootDir>/apps/*/src/**/*.spec.ts',
    '<rootDir>/**/test/**/*.e2e-spec.ts',
  ],
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
  testTimeout: 20000,
};
