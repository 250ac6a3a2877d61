import { beforeEach, describe, expect, it, vi } from 'vitest'
import Taro from '@tarojs/taro'
import { resetStorage } from './stubs/taro'
import { ApiError, parseHttpError, parseNetworkError, query, request, setAuthLostHandler } from '../src/services/request'
import { getAccessToken, getRefreshToken, saveTokens } from '../src/services/session'
import type { Me } from '../src/types/api'

const me: Me = {
  id: '1', role: 'worker', role_label: '务工人员', name: '马小军', phone_masked: '', binding_status: 'bound', labourer_id: '9007199254740993', scopes: []
}

type Handler = (opts: any) => any

function stubRequest(handler: Handler) {
  return vi.spyOn(Taro as any, 'request').mockImplementation(async (opts: any) => handler(opts))
}

beforeEach(() => {
  resetStorage()
  setAuthLostHandler(() => undefined)
  saveTokens({ access_token: 'old', refresh_token: 'r1', expires_in: 900, me })
})

describe('request', () => {
  it('sends the bearer token and returns the body', async () => {
    const spy = stubRequest(() => ({ statusCode: 200, data: { ok: true } }))
    await expect(request('/api/v1/me')).resolves.toEqual({ ok: true })
    const opts = spy.mock.calls[0][0] as any
    expect(opts.url).toBe('/api/v1/me')
    expect(opts.method).toBe('GET')
    expect(opts.header.Authorization).toBe('Bearer old')
  })

  it('sends JSON bodies and no token when auth is off', async () => {
    const spy = stubRequest(() => ({ statusCode: 200, data: {} }))
    await request('/api/v1/auth/dev/login', { method: 'POST', data: { account_id: '1' }, auth: false })
    const opts = spy.mock.calls[0][0] as any
    expect(opts.header.Authorization).toBeUndefined()
    expect(opts.header['Content-Type']).toBe('application/json')
    expect(opts.data).toEqual({ account_id: '1' })
  })

  it('on 401 refreshes once and retries with the new token', async () => {
    const seen: string[] = []
    stubRequest((opts) => {
      seen.push(`${opts.method} ${opts.url} ${opts.header.Authorization || '-'}`)
      if (opts.url === '/api/v1/auth/refresh') {
        expect(opts.data).toEqual({ refresh_token: 'r1' })
        return { statusCode: 200, data: { access_token: 'new', refresh_token: 'r2', expires_in: 900, me } }
      }
      if (opts.header.Authorization === 'Bearer new') return { statusCode: 200, data: { n: 1 } }
      return { statusCode: 401, data: { error: { code: 'unauthenticated', message: '请重新登录' } } }
    })
    await expect(request('/api/v1/me/status')).resolves.toEqual({ n: 1 })
    expect(seen).toEqual([
      'GET /api/v1/me/status Bearer old',
      'POST /api/v1/auth/refresh -',
      'GET /api/v1/me/status Bearer new'
    ])
    expect(getAccessToken()).toBe('new')
    expect(getRefreshToken()).toBe('r2')
  })

  it('shares one refresh between concurrent 401s', async () => {
    let refreshes = 0
    stubRequest((opts) => {
      if (opts.url === '/api/v1/auth/refresh') {
        refreshes++
        return { statusCode: 200, data: { access_token: 'new', refresh_token: 'r2', expires_in: 900, me } }
      }
      return opts.header.Authorization === 'Bearer new' ? { statusCode: 200, data: opts.url } : { statusCode: 401, data: '' }
    })
    const out = await Promise.all([request('/a'), request('/b'), request('/c')])
    expect(out).toEqual(['/a', '/b', '/c'])
    expect(refreshes).toBe(1)
  })

  it('when the refresh is refused, clears the session and goes to login', async () => {
    const lost = vi.fn()
    setAuthLostHandler(lost)
    stubRequest(() => ({ statusCode: 401, data: { error: { code: 'unauthenticated', message: '登录已过期' } } }))
    const err: any = await request('/api/v1/me').catch((e: any) => e as ApiError)
    expect(err).toBeInstanceOf(ApiError)
    expect(err.status).toBe(401)
    expect(err.message).toBe('登录已过期')
    expect(lost).toHaveBeenCalledTimes(1)
    expect(getAccessToken()).toBe('')
    expect(getRefreshToken()).toBe('')
  })

  it('does not refresh for login endpoints', async () => {
    const spy = stubRequest(() => ({ statusCode: 401, data: { error: { code: 'bad_credentials', message: '用户名或密码不对' } } }))
    const err: any = await request('/api/v1/auth/password/login', { method: 'POST', data: {}, auth: false }).catch((e: any) => e)
    expect(err.message).toBe('用户名或密码不对')
    expect(spy).toHaveBeenCalledTimes(1)
  })

  it('turns a 4xx with field errors into ApiError.fields (H5 resolves with statusCode)', async () => {
    stubRequest(() => ({
      statusCode: 400,
      data: {
        error: {
          code: 'validation_failed',
          message: '填写有误，请检查标红的项目',
          fields: [
            { field: 'id_number', code: 'invalid_check_digit', message: '身份证号码校验位不对' },
            { field: 'id_number', code: 'second', message: 'ignored' }
          ]
        }
      }
    }))
    const err = (await request('/api/v1/me/bind', { method: 'POST', data: {} }).catch((e: any) => e)) as ApiError
    expect(err.status).toBe(400)
    expect(err.code).toBe('validation_failed')
    expect(err.message).toBe('填写有误，请检查标红的项目')
    expect(err.fieldMessages()).toEqual({ id_number: '身份证号码校验位不对' })
  })

  it('parses a JSON string body and falls back for HTML', () => {
    const e1 = parseHttpError(409, '{"error":{"code":"conflict","message":"已经绑定过了"}}')
    expect(e1.code).toBe('conflict')
    expect(e1.message).toBe('已经绑定过了')
    const e2 = parseHttpError(502, '<html>Bad Gateway</html>')
    expect(e2.code).toBe('http_502')
    expect(e2.message).toBe('服务器忙，请稍后再试')
    expect(e2.fields).toEqual([])
  })

  it('resolves 204 with undefined', async () => {
    stubRequest(() => ({ statusCode: 204, data: '' }))
    await expect(request('/api/v1/auth/logout', { method: 'POST' })).resolves.toBeUndefined()
  })

  it('maps a weapp network failure (errMsg)', async () => {
    vi.spyOn(Taro as any, 'request').mockRejectedValue({ errMsg: 'request:fail timeout' })
    const err = (await request('/api/v1/me').catch((e: any) => e)) as ApiError
    expect(err).toBeInstanceOf(ApiError)
    expect(err.status).toBe(0)
    expect(err.code).toBe('timeout')
    expect(err.detail).toBe('request:fail timeout')
    expect(err.message).toBe('网络太慢，请稍后再试')
  })

  it('maps an H5 network failure (Error.message)', async () => {
    vi.spyOn(Taro as any, 'request').mockRejectedValue(new TypeError('Failed to fetch'))
    const err = (await request('/api/v1/me').catch((e: any) => e)) as ApiError
    expect(err.code).toBe('network_error')
    expect(err.detail).toBe('Failed to fetch')
    expect(err.message).toBe('网络不通，请检查网络后再试')
    expect(parseNetworkError('boom').detail).toBe('boom')
  })

  it('builds query strings from non-empty values', () => {
    expect(query({ page: 1, page_size: 20, q: '', region: undefined })).toBe('?page=1&page_size=20')
    expect(query({ q: '马 小' })).toBe('?q=%E9%A9%AC%20%E5%B0%8F')
    expect(query({})).toBe('')
  })
})
