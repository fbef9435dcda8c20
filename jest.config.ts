/** @jest-config-loader esbuild-register */
import type { Config } from 'jest';

// Agenda 6 and its Mongo backend ship ESM only while the server runs as CommonJS
// (tsx at runtime, @swc/jest here), so Jest must transform those packages too (and otplib's @scure/@noble).
const esmOnlyPackages = ['agenda', '@agendajs', 'cron-parser', 'luxon', 'human-interval', 'date.js', 'otplib', '@otplib', '@scure', '@noble'];

const config: Config = {
  rootDir: '.',
  testEnvironment: 'node',
  testMatch: ['<rootDir>/{shared,server,miniapp}/**/*.test.ts'],
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/miniapp/dist/'],
  transform: {
    '^.+\\.(t|j|mj)sx?$': [
      '@swc/jest',
      { jsc: { parser: { syntax: 'typescript', tsx: true }, target: 'es2022' }, module: { type: 'commonjs' } },
    ],
  },
  transformIgnorePatterns: [`/node_modules/(?!(${esmOnlyPackages.join('|')})/)`],
  moduleFileExtensions: ['ts', 'tsx', 'js', 'mjs', 'cjs', 'json'],
  globalSetup: '<rootDir>/server/test/global-setup.ts',
  globalTeardown: '<rootDir>/server/test/global-teardown.ts',
  testTimeout: 60_000,
  maxWorkers: 2,
};

export default config;
