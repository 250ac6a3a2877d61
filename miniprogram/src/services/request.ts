import Taro from '@tarojs/taro'
import { API_BASE } from './config'
import { clearSession, getAccessToken, getRefreshToken, saveTokens } from './session'
import type { FieldError, TokenPair } from '../types/api'

/** ApiError is every failure the API layer reports: HTTP errors and network failures (status 0). */
export class ApiError extends Error {
  readonly status: number
  readonly code: string
  readonly fields: FieldError[]
  /** detail is the platform's raw error text (e.errMsg / e.message), for logs only. */
  readonly detail: string
  /** body is the decoded error body, for answers that carry more than a message (409 conflicts). */
  readonly body: any

  constructor(status: number, code: string, message: string, fields: FieldError[] = [], detail = '', body: any = null) {
    super(message)
    this.name = 'ApiError'
    this.status = status
    this.code = code
    this.fields = fields
    this.detail = detail
    this.body = body
  }

  /** offline: the request never reached the server (or its answer never came back). */
  get offline(): boolean {
    return this.status === 0
  }

  /** fieldMessages maps each field name to its first message, for showing under inputs. */
  fieldMessages(): Record<string, string> {
    const out: Record<string, string> = {}
    for (const f of this.fields) {
      if (f && f.field && !(f.field in out)) out[f.field] = f.message || '填写有误'
    }
    return out
  }
}

export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'

export interface RequestOptions {
  method?: Method
  data?: unknown
  /** auth=false sends no token and never tries a refresh (login endpoints). */
  auth?: boolean
  /** header adds request headers (e.g. Idempotency-Key). */
  header?: Record<string, string>
}

const REFRESH_PATH = '/api/v1/auth/refresh'

let authLost: () => void = () => {}
let refreshing: Promise<boolean> | null = null

/** setAuthLostHandler sets what happens when the session cannot be renewed (go to login). */
export function setAuthLostHandler(fn: () => void): void {
  authLost = fn
}

function defaultMessage(status: number): string {
  if (status === 401) return '登录已过期，请重新登录'
  if (status === 403) return '没有权限做这件事'
  if (status === 404) return '没有找到'
  if (status === 409) return '已经有了，不能重复提交'
  if (status === 413) return '内容太多了'
  if (status === 429) return '操作太频繁，请稍后再试'
  if (status >= 500) return '服务器忙，请稍后再试'
  return '提交没有成功，请再试一次'
}

/**
 * parseHttpError turns a 4xx/5xx response into an ApiError. The body is
 * {"error":{"code","message","fields"?}}; anything else (HTML from a proxy, an empty body,
 * a JSON string the runtime did not parse) falls back to a message for the status.
 */
export function parseHttpError(status: number, body: unknown): ApiError {
  let b: any = body
  if (typeof b === 'string') {
    try {
      b = JSON.parse(b)
    } catch {
      b = null
    }
  }
  const err = b && typeof b === 'object' ? b.error : null
  if (err && typeof err === 'object') {
    const fields: FieldError[] = Array.isArray(err.fields)
      ? err.fields.filter((f: any) => f && typeof f.field === 'string')
      : []
    return new ApiError(
      status,
      typeof err.code === 'string' && err.code ? err.code : `http_${status}`,
      typeof err.message === 'string' && err.message ? err.message : defaultMessage(status),
      fields,
      '',
      b
    )
  }
  return new ApiError(status, `http_${status}`, defaultMessage(status), [], '', b)
}

/**
 * parseNetworkError turns a rejected Taro.request into an ApiError. The weapp runtime rejects
 * with {errMsg}; H5 (fetch) rejects with an Error carrying .message.
 */
export function parseNetworkError(e: unknown): ApiError {
  const anyE = e as any
  const detail =
    (anyE && typeof anyE.errMsg === 'string' && anyE.errMsg) ||
    (anyE && typeof anyE.message === 'string' && anyE.message) ||
    String(e)
  const timeout = /timeout|超时/i.test(detail)
  return new ApiError(
    0,
    timeout ? 'timeout' : 'network_error',
    timeout ? '网络太慢，请稍后再试' : '网络不通，请检查网络后再试',
    [],
    detail
  )
}

async function send(method: Method, path: string, data: unknown, withToken: boolean, extra?: Record<string, string>) {
  const header: Record<string, string> = { Accept: 'application/json', ...(extra || {}) }
  if (data !== undefined) header['Content-Type'] = 'application/json'
  const token = withToken ? getAccessToken() : ''
  if (token) header.Authorization = `Bearer ${token}`
  try {
    return await Taro.request({
      url: API_BASE + path,
      method,
      data: data as any,
      header,
      dataType: 'json',
      timeout: 20000
    })
  } catch (e) {
    throw parseNetworkError(e)
  }
}

async function doRefresh(): Promise<boolean> {
  const refreshToken = getRefreshToken()
  if (!refreshToken) return false
  try {
    const res = await send('POST', REFRESH_PATH, { refresh_token: refreshToken }, false)
    const pair = res.data as TokenPair
    if (res.statusCode >= 200 && res.statusCode < 300 && pair && pair.access_token) {
      saveTokens(pair)
      return true
    }
  } catch {
    // A network failure during refresh is treated like a refused refresh.
  }
  return false
}

/** refreshOnce shares one refresh among all requests that hit 401 at the same time. */
function refreshOnce(): Promise<boolean> {
  if (!refreshing) {
    refreshing = doRefresh().finally(() => {
      refreshing = null
    })
  }
  return refreshing
}

/**
 * request calls the API. It resolves with the decoded body of a 2xx answer (undefined for
 * 204) and rejects with ApiError otherwise. On 401 it tries one token refresh and retries
 * once; if that fails too the session is cleared and the auth-lost handler runs.
 */
export async function request<T>(path: string, opts: RequestOptions = {}): Promise<T> {
  const method = opts.method || 'GET'
  const auth = opts.auth !== false
  let res = await send(method, path, opts.data, auth, opts.header)
  if (res.statusCode === 401 && auth) {
    const renewed = await refreshOnce()
    if (renewed) res = await send(method, path, opts.data, true, opts.header)
    if (!renewed || res.statusCode === 401) {
      clearSession()
      authLost()
      throw parseHttpError(401, res.data)
    }
  }
  if (res.statusCode >= 200 && res.statusCode < 300) {
    return (res.statusCode === 204 ? undefined : res.data) as T
  }
  throw parseHttpError(res.statusCode, res.data)
}

/**
 * withAuthRetry runs a call that carries the access token (an upload, a file download) and,
 * on 401, refreshes the session once and runs it again; if that fails the person logs in again.
 */
export async function withAuthRetry<T extends { statusCode: number; data?: any }>(fn: (token: string) => Promise<T>): Promise<T> {
  let res = await fn(getAccessToken())
  if (res.statusCode === 401) {
    const renewed = await refreshOnce()
    if (renewed) res = await fn(getAccessToken())
    if (!renewed || res.statusCode === 401) {
      clearSession()
      authLost()
      throw parseHttpError(401, res.data)
    }
  }
  return res
}

/** query builds "?a=1&b=2" from the non-empty values. */
export function query(params: Record<string, string | number | undefined | null>): string {
  const parts: string[] = []
  for (const [k, v] of Object.entries(params)) {
    if (v === undefined || v === null || v === '') continue
    parts.push(`${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`)
  }
  return parts.length ? `?${parts.join('&')}` : ''
}

/** errorMessage gives the text to show a person for any thrown value. */
export function errorMessage(e: unknown): string {
  if (e instanceof ApiError) return e.message
  return '出了点问题，请再试一次'
}
