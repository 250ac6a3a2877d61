// Shared harness for the H5 end-to-end runs: one headless Chromium (Debian's, through
// playwright-core) per run, steps that stop at the first failure, screenshots kept under
// ARTIFACT_DIR, and "N passed, N failed" on the last line (scripts/e2e.sh and CI read it).
//
//   import { run } from './lib.mjs'
//   await run('worker-return', (t) => [
//     ['the worker logs in', async () => { await t.go('/'); await t.devLogin('worker') }],
//   ])
//
// Env: BASE_URL (the server that serves the H5 build and the API), ARTIFACT_DIR (default
// test-artifacts/<name> at the repository root), CHROMIUM (the binary), E2E_TIMEOUT_MS.
import { chromium } from 'playwright-core'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const here = path.dirname(fileURLToPath(import.meta.url))
export const BASE_URL = (process.env.BASE_URL || 'http://127.0.0.1:18080').replace(/\/+$/, '')
export const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium'
export const TIMEOUT = Number(process.env.E2E_TIMEOUT_MS || 15000)
export const PHONE = { width: 390, height: 844 }
export const DESKTOP = { width: 1280, height: 900 }

export const byTestId = (id) => `[data-testid="${id}"]`

/** api calls the server directly (set-up and checks), with a bearer token when given. */
export async function api(method, p, body, token) {
  const res = await fetch(BASE_URL + p, {
    method,
    headers: {
      Accept: 'application/json',
      ...(body !== undefined && body !== null ? { 'Content-Type': 'application/json' } : {}),
      ...(token ? { Authorization: `Bearer ${token}` } : {})
    },
    body: body !== undefined && body !== null ? JSON.stringify(body) : undefined
  })
  const text = await res.text()
  let data = null
  try {
    data = text ? JSON.parse(text) : null
  } catch {
    data = text
  }
  return { status: res.status, body: data }
}

/** tokenFor signs in as the first demo account of a role through the dev login. */
export async function tokenFor(role) {
  const acc = await api('GET', '/api/v1/auth/dev/accounts')
  if (acc.status !== 200) throw new Error(`dev accounts: HTTP ${acc.status}`)
  const a = (acc.body.accounts || []).find((x) => x.role === role)
  if (!a) throw new Error(`no demo ${role} account`)
  const r = await api('POST', '/api/v1/auth/dev/login', { account_id: a.id })
  if (r.status !== 200) throw new Error(`dev login ${role}: HTTP ${r.status}`)
  return r.body.access_token
}

/** setClockOffset moves the server's development clock (DEV_CLOCK=true) by whole hours. */
export async function setClockOffset(hours) {
  const r = await api('PUT', '/api/v1/dev/clock', { offset_hours: hours })
  if (r.status !== 200) throw new Error(`dev clock: HTTP ${r.status} ${JSON.stringify(r.body)}`)
  return r.body
}

function firstLine(e) {
  return e && e.message ? e.message.split('\n')[0] : String(e)
}

/**
 * run launches Chromium, asks build(t) for the steps ([name, async fn] pairs), runs them in
 * order and stops at the first failure (the rest count as failed), then prints the summary and
 * exits: 0 when every step passed.
 *
 * opts.context: extra options for the browser context (geolocation, permissions…).
 * opts.cleanup(t): runs after the steps, whatever happened (undo server-side changes).
 */
export async function run(name, build, opts = {}) {
  const artifactDir = process.env.ARTIFACT_DIR
    ? path.resolve(process.env.ARTIFACT_DIR)
    : path.resolve(here, '..', '..', 'test-artifacts', name)
  let passed = 0
  let failed = 0
  const notes = []
  const browserErrors = []
  let profile = ''
  let context = null
  try {
    fs.mkdirSync(artifactDir, { recursive: true })
    profile = fs.mkdtempSync(path.join(os.tmpdir(), 'jyb-e2e-'))
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      viewport: PHONE,
      deviceScaleFactor: 2,
      locale: 'zh-CN',
      acceptDownloads: true,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync'
      ],
      ...(opts.context || {})
    })
    const page = context.pages()[0] || (await context.newPage())
    page.setDefaultTimeout(TIMEOUT)
    page.on('console', (m) => {
      if (m.type() === 'error') browserErrors.push(m.text())
    })
    page.on('pageerror', (e) => browserErrors.push(String(e)))
    page.on('response', (r) => {
      if (r.url().includes('/api/') && r.status() >= 400) browserErrors.push(`${r.status()} ${r.request().method()} ${r.url()}`)
    })
    const t = makeHelpers(page, context, artifactDir, notes)
    const steps = await build(t)
    try {
      for (const [stepName, fn] of steps) {
        const t0 = Date.now()
        try {
          await fn()
          passed++
          console.log(`ok   ${stepName} (${Date.now() - t0} ms)`)
        } catch (e) {
          failed++
          console.log(`FAIL ${stepName}: ${firstLine(e)}`)
          await t.shot(`${name}-failure.png`).catch(() => undefined)
          failed += steps.length - passed - failed // the rest cannot run
          break
        }
      }
    } finally {
      if (opts.cleanup) await Promise.resolve(opts.cleanup(t)).catch((e) => console.log(`cleanup: ${firstLine(e)}`))
    }
  } catch (e) {
    failed++
    console.log(`FAIL e2e setup: ${firstLine(e)}`)
  } finally {
    if (context) await context.close().catch(() => undefined)
    if (profile) fs.rmSync(profile, { recursive: true, force: true })
  }
  for (const n of notes) console.log(`note: ${n}`)
  if (failed && browserErrors.length) {
    console.log('browser errors:')
    for (const e of browserErrors.slice(0, 20)) console.log(`  ${e}`)
  }
  console.log(`screenshots in ${artifactDir}`)
  console.log(`${passed} passed, ${failed} failed`)
  process.exit(failed ? 1 : 0)
}

function makeHelpers(page, context, artifactDir, notes) {
  const tid = (id) => page.locator(byTestId(id)).first()
  const t = {
    page,
    context,
    artifactDir,
    baseURL: BASE_URL,
    tid,
    note: (line) => notes.push(line),
    /** shot keeps a full-page picture once the page has slid into place (Taro's H5 transition). */
    async shot(file) {
      await page
        .waitForFunction(() => {
          const shown = document.querySelectorAll('.taro_page_show')
          const last = shown[shown.length - 1]
          return !last || Math.abs(last.getBoundingClientRect().left) < 1
        }, null, { timeout: 2000 })
        .catch(() => undefined)
      await page.screenshot({ path: path.join(artifactDir, file), fullPage: true })
    },
    go: (hash) => page.goto(hash === '/' ? `${BASE_URL}/` : `${BASE_URL}/#${hash}`, { waitUntil: 'domcontentloaded' }),
    /** fill types into a Taro Input/Textarea by its test id (the real element may be inside). */
    async fill(id, value) {
      const el = tid(id)
      const inner = el.locator('input, textarea')
      if (await inner.count()) await inner.first().fill(value)
      else await el.fill(value)
    },
    /**
     * waitText waits until the element's text contains every word. opts: a description for
     * the error, a timeout in ms, or { what, timeout }.
     */
    async waitText(loc, words, opts) {
      const o = typeof opts === 'number' ? { timeout: opts } : typeof opts === 'string' ? { what: opts } : opts || {}
      const deadline = Date.now() + (o.timeout || TIMEOUT)
      let text = ''
      while (Date.now() < deadline) {
        text = (await loc.innerText().catch(() => '')) || ''
        if (words.every((w) => text.includes(w))) return text
        await page.waitForTimeout(200)
      }
      throw new Error(`${o.what || 'text'}: wanted ${JSON.stringify(words)}, saw ${JSON.stringify(text.slice(0, 300))}`)
    },
    /** logout drops the session but keeps the cadre's offline drafts (they live on the phone). */
    async logout() {
      await page.evaluate(() => {
        for (const k of Object.keys(localStorage)) if (!k.startsWith('jyb.drafts.')) localStorage.removeItem(k)
      })
      await page.goto(`${BASE_URL}/#/pages/login/index`, { waitUntil: 'domcontentloaded' })
      await page.reload({ waitUntil: 'domcontentloaded' })
    },
    /** devLogin taps the login page's demo account button for a role. */
    async devLogin(role) {
      await tid(`dev-login-${role}`).waitFor({ state: 'visible' })
      await tid(`dev-login-${role}`).click()
    },
    /** token is the access token the app holds now (Taro keeps storage as {"data": …}). */
    async token() {
      const raw = await page.evaluate(() => localStorage.getItem('jyb.access_token'))
      if (!raw) return ''
      try {
        const v = JSON.parse(raw)
        return v && typeof v === 'object' && 'data' in v ? v.data : v
      } catch {
        return raw
      }
    },
    /** api calls the server with the app's current token. */
    async api(method, p, body) {
      return api(method, p, body, await t.token())
    }
  }
  return t
}
