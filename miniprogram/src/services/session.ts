import Taro from '@tarojs/taro'
import type { Me, TokenPair } from '../types/api'

// Keys in local storage. Tokens live here so the request wrapper can send them as a Bearer
// header: cookies do not cross origins in the weapp runtime.
const KEY_ACCESS = 'jyb.access_token'
const KEY_REFRESH = 'jyb.refresh_token'
const KEY_ME = 'jyb.me'

export function getAccessToken(): string {
  return Taro.getStorageSync(KEY_ACCESS) || ''
}

export function getRefreshToken(): string {
  return Taro.getStorageSync(KEY_REFRESH) || ''
}

export function saveTokens(pair: TokenPair): void {
  Taro.setStorageSync(KEY_ACCESS, pair.access_token)
  Taro.setStorageSync(KEY_REFRESH, pair.refresh_token)
  if (pair.me) saveMe(pair.me)
}

export function getMe(): Me | null {
  const raw = Taro.getStorageSync(KEY_ME)
  if (!raw) return null
  if (typeof raw === 'object') return raw as Me
  try {
    return JSON.parse(raw) as Me
  } catch {
    return null
  }
}

export function saveMe(me: Me): void {
  Taro.setStorageSync(KEY_ME, JSON.stringify(me))
}

export function clearSession(): void {
  Taro.removeStorageSync(KEY_ACCESS)
  Taro.removeStorageSync(KEY_REFRESH)
  Taro.removeStorageSync(KEY_ME)
}
