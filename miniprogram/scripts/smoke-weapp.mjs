// Smoke test of the weapp build in plain Node: every page in app.json has its files, and the
// login page mounts under stubbed wx/App/Page/Component globals and calls wx.login then
// wx.request (WeChat login). This leans on Taro's runtime internals, so it stays small.
// Prints "N passed, N failed"; exits non-zero on failure. Run after `npm run build:weapp`.
import fs from 'node:fs'
import path from 'node:path'
import { createRequire } from 'node:module'
import { fileURLToPath } from 'node:url'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const dist = path.join(root, 'dist', 'weapp')
const require = createRequire(path.join(dist, 'app.js'))

let passed = 0
let failed = 0
function check(name, ok, detail = '') {
  if (ok) passed++
  else failed++
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${name}${ok || !detail ? '' : `: ${detail}`}`)
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms))

async function main() {
  const appJson = JSON.parse(fs.readFileSync(path.join(dist, 'app.json'), 'utf8'))
  const pages = [...appJson.pages]
  for (const sub of appJson.subPackages || appJson.subpackages || []) {
    for (const p of sub.pages) pages.push(`${sub.root}/${p}`)
  }
  const missing = []
  for (const p of pages) {
    for (const ext of ['.js', '.json', '.wxml']) {
      if (!fs.existsSync(path.join(dist, p + ext))) missing.push(p + ext)
    }
  }
  check(`app.json lists ${pages.length} pages, all with .js/.json/.wxml`, missing.length === 0 && pages.length >= 10, missing.join(', '))
  check('the first page is the login page', appJson.pages[0] === 'pages/login/index')

  // Stubbed mini-program globals. Unknown wx APIs answer success with an empty result.
  const calls = { request: [], login: 0 }
  const store = new Map()
  const known = {
    getSystemInfoSync: () => ({ platform: 'devtools', windowWidth: 375, windowHeight: 667, pixelRatio: 2, screenWidth: 375, screenHeight: 667, SDKVersion: '3.0.0', language: 'zh_CN', version: '8.0.0' }),
    getWindowInfo: () => ({ windowWidth: 375, windowHeight: 667, pixelRatio: 2, screenWidth: 375, screenHeight: 667 }),
    getStorageSync: (k) => (store.has(k) ? store.get(k) : ''),
    setStorageSync: (k, v) => store.set(k, v),
    removeStorageSync: (k) => store.delete(k),
    canIUse: () => true,
    nextTick: (fn) => setTimeout(fn, 0),
    login: (opts) => {
      calls.login++
      setTimeout(() => {
        opts.success && opts.success({ code: 'smoke-code', errMsg: 'login:ok' })
        opts.complete && opts.complete()
      }, 0)
    },
    request: (opts) => {
      calls.request.push({ url: opts.url, method: opts.method, data: opts.data })
      setTimeout(() => {
        const res = { statusCode: 503, data: { error: { code: 'unavailable', message: '服务器忙' } }, header: {}, errMsg: 'request:ok' }
        opts.success && opts.success(res)
        opts.complete && opts.complete(res)
      }, 0)
      return { abort() {}, onHeadersReceived() {}, offHeadersReceived() {} }
    }
  }
  globalThis.wx = new Proxy(known, {
    get(target, prop) {
      if (prop in target) return target[prop]
      // Plain data that the runtime keeps on wx (webpack's chunk list) is not an API.
      if (typeof prop !== 'string' || prop === 'webpackJsonp' || prop === 'env') return undefined
      return (opts) => {
        if (opts && typeof opts === 'object') {
          opts.success && opts.success({ errMsg: `${prop}:ok` })
          opts.complete && opts.complete({ errMsg: `${prop}:ok` })
        }
        return undefined
      }
    }
  })
  let appConfig = null
  const pageConfigs = []
  globalThis.App = (cfg) => {
    appConfig = cfg
  }
  globalThis.Page = (cfg) => {
    pageConfigs.push(cfg)
  }
  globalThis.Component = (cfg) => {
    pageConfigs.push(cfg)
  }
  globalThis.Behavior = (cfg) => cfg
  globalThis.getApp = () => appConfig
  let current = null
  globalThis.getCurrentPages = () => (current ? [current] : [])
  globalThis.requirePlugin = () => ({})

  require(path.join(dist, 'app.js'))
  check('app.js registers the App', !!appConfig && typeof appConfig.onLaunch === 'function')
  appConfig.onLaunch.call(appConfig, { path: 'pages/login/index', query: {}, scene: 1001 })
  appConfig.onShow && appConfig.onShow.call(appConfig, { path: 'pages/login/index', query: {}, scene: 1001 })

  require(path.join(dist, 'pages/login/index.js'))
  const loginCfg = pageConfigs[pageConfigs.length - 1]
  check('pages/login/index.js registers a Page', !!loginCfg && typeof loginCfg.onLoad === 'function')

  const updates = []
  const page = Object.assign(Object.create(loginCfg), {
    route: 'pages/login/index',
    options: {},
    data: JSON.parse(JSON.stringify(loginCfg.data || {})),
    setData(data, cb) {
      updates.push(data)
      Object.assign(this.data, data)
      if (cb) setTimeout(cb, 0)
    },
    selectComponent() {
      return null
    },
    createSelectorQuery() {
      return wx.createSelectorQuery()
    }
  })
  current = page
  loginCfg.onLoad.call(page, {})
  loginCfg.onShow && loginCfg.onShow.call(page)
  loginCfg.onReady && loginCfg.onReady.call(page)

  for (let i = 0; i < 50 && calls.request.length === 0; i++) await sleep(20)
  await sleep(50)
  const rendered = JSON.stringify(updates)
  check('the login page renders (setData with its text)', updates.length > 0 && rendered.includes('就业帮'), `${updates.length} updates`)
  check('it calls wx.login', calls.login === 1, `wx.login called ${calls.login} times`)
  const req = calls.request[0]
  check(
    'then POSTs the code to /api/v1/auth/wechat/login on the https API base',
    !!req && /^https:\/\/[^/]+\/api\/v1\/auth\/wechat\/login$/.test(req.url) && req.method === 'POST' && req.data && req.data.code === 'smoke-code',
    JSON.stringify(req)
  )
  await sleep(50)
  check('and shows the server error to the person', JSON.stringify(updates).includes('服务器忙'))
}

try {
  await main()
} catch (e) {
  failed++
  console.log(`FAIL smoke crashed: ${e && e.stack ? e.stack.split('\n').slice(0, 4).join(' | ') : e}`)
}
console.log(`${passed} passed, ${failed} failed`)
process.exit(failed ? 1 : 0)
