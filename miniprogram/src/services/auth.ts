import { request } from './request'
import { clearSession, saveMe, saveTokens } from './session'
import type { DevAccount, Me, TokenPair } from '../types/api'

/** devAccounts lists the demo accounts; the server answers 404 when dev login is off. */
export async function devAccounts(): Promise<DevAccount[]> {
  const res = await request<{ accounts: DevAccount[] }>('/api/v1/auth/dev/accounts', { auth: false })
  return res.accounts || []
}

export async function devLogin(accountId: string): Promise<Me> {
  const pair = await request<TokenPair>('/api/v1/auth/dev/login', {
    method: 'POST',
    data: { account_id: accountId },
    auth: false
  })
  saveTokens(pair)
  return pair.me
}

export async function wechatLogin(code: string): Promise<Me> {
  const pair = await request<TokenPair>('/api/v1/auth/wechat/login', {
    method: 'POST',
    data: { code },
    auth: false
  })
  saveTokens(pair)
  return pair.me
}

export async function passwordLogin(username: string, password: string, totpCode: string): Promise<Me> {
  const pair = await request<TokenPair>('/api/v1/auth/password/login', {
    method: 'POST',
    data: { username, password, totp_code: totpCode },
    auth: false
  })
  saveTokens(pair)
  return pair.me
}

/** logout ends the session on the server (best effort) and always clears local storage. */
export async function logout(): Promise<void> {
  try {
    await request<void>('/api/v1/auth/logout', { method: 'POST' })
  } catch {
    // The local session is cleared whatever the server said.
  } finally {
    clearSession()
  }
}

export async function fetchMe(): Promise<Me> {
  const me = await request<Me>('/api/v1/me')
  saveMe(me)
  return me
}
