// API origin. The H5 build is served by the Go binary on the same origin, so it is empty
// there (.env.h5); weapp needs an absolute https origin (.env.production).
// Read the variable by its full name: Taro replaces `process.env.TARO_APP_API_BASE` textually.
export const API_BASE: string = (process.env.TARO_APP_API_BASE || '').replace(/\/+$/, '')
