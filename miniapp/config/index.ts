import path from 'node:path';
import { defineConfig } from '@tarojs/cli';
import { DEV_API_BASE, RELEASE_MODE, apiBaseFor } from './api-base';

// @blindbox/shared is TypeScript source behind a workspace symlink: compile it like our own code.
const sharedSource = path.resolve(__dirname, '../../shared/src');

export default defineConfig<'webpack5'>((_merge, { mode }) => {
  const apiBase = apiBaseFor(process.env.TARO_ENV, mode, process.env.TARO_APP_API_BASE);
  if (process.env.TARO_ENV === 'weapp' && mode !== RELEASE_MODE) {
    console.log(`weapp development build: API at ${apiBase} (for upload: TARO_APP_API_BASE=https://… npm run release:weapp -w miniapp)`);
  }
  return {
    projectName: 'blindbox-pay',
    date: '2025-01-01',
    designWidth: 750,
    deviceRatio: { 640: 2.34 / 2, 750: 1, 375: 2, 828: 1.81 / 2 },
    sourceRoot: 'src',
    // A release H5 build goes to its own folder: the development one (dev users, served by the dev server) stays.
    outputRoot: `dist/${process.env.TARO_ENV}${process.env.TARO_ENV === 'h5' && mode === RELEASE_MODE ? '-release' : ''}`,
    framework: 'react',
    compiler: 'webpack5',
    cache: { enable: false },
    // Development builds log in silently as a dev user in H5 (the simulator's codes); a release build only by phone.
    env: { TARO_APP_API_BASE: JSON.stringify(apiBase), TARO_APP_DEV_LOGIN: JSON.stringify(mode === RELEASE_MODE ? '' : '1') },
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
        proxy: [{ context: ['/api', '/images'], target: process.env.TARO_APP_DEV_PROXY ?? DEV_API_BASE }],
      },
    },
  };
});
