/// <reference types="@tarojs/taro" />

declare module '*.png'
declare module '*.css'

declare namespace NodeJS {
  interface ProcessEnv {
    TARO_ENV: 'weapp' | 'h5' | string
    /** API origin; empty on H5 (same origin as the page). */
    TARO_APP_API_BASE: string
  }
}
