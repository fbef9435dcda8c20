/// <reference types="@tarojs/taro" />

declare module '*.css';

declare namespace NodeJS {
  interface ProcessEnv {
    /** Set by the Taro CLI from `--type`. */
    TARO_ENV: 'weapp' | 'h5';
    /** Baked in by config/index.ts; empty in H5 (same origin). */
    TARO_APP_API_BASE?: string;
  }
}
