import path from 'node:path';
import { defineConfig } from '@tarojs/cli';

const DEFAULT_WEAPP_API_BASE = 'http://127.0.0.1:3000';

/**
 * The H5 build is served by the API server itself, so it talks same-origin; the mini-program
 * runs inside WeChat and needs an absolute base URL baked in at build time.
 */
function apiBase(): string {
  if (process.env.TARO_ENV === 'h5') return process.env.TARO_APP_API_BASE ?? '';
  return process.env.TARO_APP_API_BASE ?? DEFAULT_WEAPP_API_BASE;
}

// @blindbox/shared is TypeScript source behind a workspace symlink: compile it like our own code.
const sharedSource = path.resolve(__dirname, '../../shared/src');

export default defineConfig<'webpack5'>(() => ({
  projectName: 'blindbox-pay',
  date: '2025-01-01',
  designWidth: 750,
  deviceRatio: { 640: 2.34 / 2, 750: 1, 375: 2, 828: 1.81 / 2 },
  sourceRoot: 'src',
  outputRoot: `dist/${process.env.TARO_ENV}`,
  framework: 'react',
  compiler: 'webpack5',
  cache: { enable: false },
  env: { TARO_APP_API_BASE: JSON.stringify(apiBase()) },
  mini: {
    compile: { include: [sharedSource] },
    postcss: { pxtransform: { enable: true, config: {} }, cssModules: { enable: false } },
  },
  h5: {
    compile: { include: [sharedSource] },
    publicPath: '/',
    staticDirectory: 'static',
    router: { mode: 'hash' },
    // A desktop browser gets the phone layout as a centred column (root font-size capped: 750 design px = 450 CSS px)
    // rather than every control blown up to twice a phone's size.
    postcss: { autoprefixer: { enable: true }, cssModules: { enable: false }, pxtransform: { enable: true, config: { maxRootSize: 24 } } },
    // `npm run dev:h5` serves on its own port; forward API calls and pictures to a locally running server.
    devServer: {
      port: 10086,
      proxy: [{ context: ['/api', '/images'], target: process.env.TARO_APP_DEV_PROXY ?? DEFAULT_WEAPP_API_BASE }],
    },
  },
}));
