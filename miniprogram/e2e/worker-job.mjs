// E2E (issue 4): a worker reports 失业返乡 → 想找工作; the matching job appears in their feed
// and inbox with its reasons (matching runs on the queue, so the feed is polled); they apply
// (a second tap shows the server's "already applied"); the demo employer finds the candidate
// and confirms the hire; the worker's status shows the new job (在岗) and the cadre's 72-hour
// board shows the case closed as 已上岗. Runs the H5 build in headless Chromium
// (playwright-core + Debian's chromium). Needs a fresh data dir (the demo worker must not have
// been hired before). When the demo seed has no employer or open job (service/demo's Jobs not
// wired), the set-up step makes them through the API as the demo employer and task force.
// Env: BASE_URL (the server that serves dist/h5 and the API), ARTIFACT_DIR (screenshots;
// default ../test-artifacts from the miniprogram folder), CHROMIUM (binary).
// Prints "N passed, N failed" and exits non-zero on any failure.
import { chromium } from 'playwright-core'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const here = path.dirname(fileURLToPath(import.meta.url))
const BASE_URL = (process.env.BASE_URL || 'http://127.0.0.1:18080').replace(/\/+$/, '')
const ARTIFACT_DIR = process.env.ARTIFACT_DIR
  ? path.resolve(process.env.ARTIFACT_DIR)
  : path.resolve(here, '..', '..', 'test-artifacts')
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium'
const TIMEOUT = Number(process.env.E2E_TIMEOUT_MS || 15000)
const MATCH_WAIT = Number(process.env.E2E_MATCH_WAIT_MS || 20000)
const WORKER_NAME = '马小军'
const COUNTY = '622926' // 东乡族自治县, the demo worker's county

const byTestId = (id) => `[data-testid="${id}"]`

let passed = 0
let failed = 0
const consoleErrors = []

async function step(name, fn) {
  const t0 = Date.now()
  try {
    await fn()
    passed++
    console.log(`ok   ${name} (${Date.now() - t0} ms)`)
    return true
  } catch (e) {
    failed++
    console.log(`FAIL ${name}: ${e && e.message ? e.message.split('\n')[0] : e}`)
    return false
  }
}

async function waitText(locator, want, timeout = TIMEOUT) {
  const deadline = Date.now() + timeout
  let text = ''
  while (Date.now() < deadline) {
    text = (await locator.innerText().catch(() => '')) || ''
    if (want.every((w) => text.includes(w))) return text
    await new Promise((r) => setTimeout(r, 200))
  }
  throw new Error(`wanted ${JSON.stringify(want)}, saw ${JSON.stringify(text.slice(0, 300))}`)
}

// ---- API set-up (only when the demo seed has no open job for the employer) ----

async function api(method, p, token, body) {
  const res = await fetch(BASE_URL + p, {
    method,
    headers: { Accept: 'application/json', ...(body ? { 'Content-Type': 'application/json' } : {}), ...(token ? { Authorization: `Bearer ${token}` } : {}) },
    body: body ? JSON.stringify(body) : undefined
  })
  const text = await res.text()
  let data = null
  try {
    data = text ? JSON.parse(text) : null
  } catch {
    data = text
  }
  return { status: res.status, data }
}

async function tokenFor(role) {
  const acc = await api('GET', '/api/v1/auth/dev/accounts')
  if (acc.status !== 200) throw new Error(`dev accounts: HTTP ${acc.status}`)
  const a = (acc.data.accounts || []).find((x) => x.role === role)
  if (!a) throw new Error(`no demo ${role} account`)
  const r = await api('POST', '/api/v1/auth/dev/login', null, { account_id: a.id })
  if (r.status !== 200) throw new Error(`dev login ${role}: HTTP ${r.status}`)
  return r.data.access_token
}

function creditCode(first17) {
  const cs = '0123456789ABCDEFGHJKLMNPQRTUWXY'
  const w = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]
  let sum = 0
  for (let i = 0; i < 17; i++) sum += cs.indexOf(first17[i]) * w[i]
  return first17 + cs[(31 - (sum % 31)) % 31]
}

/** ensureOpenJob makes sure the demo employer is verified and has an open job that fits the worker. */
async function ensureOpenJob() {
  const emp = await tokenFor('employer')
  let me = await api('GET', '/api/v1/me/employer', emp)
  const tf = await tokenFor('taskforce')
  let made = []
  if (me.status === 404) {
    const r = await api('POST', '/api/v1/me/employer', emp, {
      credit_code: creditCode(`91${COUNTY}MA7E2E${String(Date.now() % 1000).padStart(3, '0')}`),
      name: '临夏清真食品有限公司（演示）', kind: 'enterprise', region_code: COUNTY, address: '锁南镇工业园区',
      contact_name: '马经理', phone: '13993100000'
    })
    if (r.status !== 201) throw new Error(`register employer: HTTP ${r.status} ${JSON.stringify(r.data)}`)
    made.push('employer')
    me = r
  }
  if (me.data.status === 'pending') {
    const r = await api('POST', `/api/v1/employers/${me.data.id}/review`, tf, { decision: 'verify' })
    if (r.status !== 200) throw new Error(`verify employer: HTTP ${r.status} ${JSON.stringify(r.data)}`)
  }
  const jobs = await api('GET', '/api/v1/me/employer/jobs?page_size=100', emp)
  if (!(jobs.data.items || []).some((j) => j.status === 'open' && j.place_code === COUNTY)) {
    const until = new Date(Date.now() + 30 * 86400000).toISOString().slice(0, 10)
    const j = await api('POST', '/api/v1/me/employer/jobs', emp, {
      title: '清真食品包装普工', industry: 'general_worker', headcount: 5, wage_min: 5200, wage_max: 6000, place_code: COUNTY,
      min_age: 18, max_age: 55, capacities: ['ordinary', 'skilled'], housing: true, meals: true, transport: false,
      description: '食品包装、装箱', valid_until: until
    })
    if (j.status !== 201) throw new Error(`post job: HTTP ${j.status} ${JSON.stringify(j.data)}`)
    const r = await api('POST', `/api/v1/jobs/${j.data.id}/review`, tf, { decision: 'approve' })
    if (r.status !== 200) throw new Error(`approve job: HTTP ${r.status} ${JSON.stringify(r.data)}`)
    made.push('job')
  }
  return made
}

async function main() {
  fs.mkdirSync(ARTIFACT_DIR, { recursive: true })
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'jyb-e2e-'))
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 390, height: 844 },
    deviceScaleFactor: 2,
    locale: 'zh-CN',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync'
    ]
  })
  const page = context.pages()[0] || (await context.newPage())
  page.setDefaultTimeout(TIMEOUT)
  page.on('console', (m) => {
    if (m.type() === 'error') consoleErrors.push(m.text())
  })
  page.on('pageerror', (e) => consoleErrors.push(String(e)))
  page.on('response', (r) => {
    if (r.url().includes('/api/') && r.status() >= 400) consoleErrors.push(`${r.status()} ${r.request().method()} ${r.url()}`)
  })

  const tid = (id) => page.locator(byTestId(id)).first()
  const shot = (name) => page.screenshot({ path: path.join(ARTIFACT_DIR, name), fullPage: true })
  const settle = () => page.waitForTimeout(1800) // let a toast (1.5 s) go before a picture
  const logout = async () => {
    await page.evaluate(() => localStorage.clear())
    await page.goto(`${BASE_URL}/#/pages/login/index`, { waitUntil: 'domcontentloaded' })
    await page.reload({ waitUntil: 'domcontentloaded' })
  }
  const devLogin = async (role) => {
    await tid(`dev-login-${role}`).waitFor({ state: 'visible' })
    await tid(`dev-login-${role}`).click()
  }

  let jobTitle = ''

  try {
    const steps = [
      ['set-up: the demo employer is verified and has an open job', async () => {
        const made = await ensureOpenJob()
        if (made.length) console.log(`     (made through the API: ${made.join(', ')})`)
      }],
      ['worker logs in', async () => {
        await page.goto(`${BASE_URL}/`, { waitUntil: 'domcontentloaded' })
        await devLogin('worker')
        await tid('report-returned').waitFor({ state: 'visible' })
        await tid('status-card').waitFor({ state: 'visible' })
      }],
      ['worker reports 失业返乡 → 想找工作', async () => {
        await tid('report-returned').click()
        await tid('returned-wants-work').click()
        await waitText(tid('status-card'), ['失业返乡', '想找工作'])
        await tid('returned-wants-work').waitFor({ state: 'hidden' })
        await settle()
        await shot('job-1-worker-returned.png')
      }],
      ['the matching job appears in the feed with its reasons', async () => {
        await tid('open-jobs').click()
        await tid('job-feed').waitFor({ state: 'visible' })
        const deadline = Date.now() + MATCH_WAIT
        while (Date.now() < deadline) {
          if ((await page.locator(`${byTestId('job-feed')} ${byTestId('job-card')}`).count()) > 0) break
          await page.waitForTimeout(1000)
          await tid('job-feed-refresh').click()
        }
        const card = page.locator(`${byTestId('job-feed')} ${byTestId('job-card')}`).first()
        await card.waitFor({ state: 'visible', timeout: 2000 })
        const text = await waitText(card, ['同县', '工种相符'])
        jobTitle = (await card.locator(byTestId('job-title')).innerText()).trim()
        if (!text.includes('元/月')) throw new Error(`card without a wage: ${text}`)
        await tid('my-case').waitFor({ state: 'visible' })
        await shot('job-2-worker-feed.png')
      }],
      ['the inbox has the recommendation with its reason and an unread badge', async () => {
        await page.locator(`${byTestId('page-back')}:visible`).first().click()
        await tid('worker-home').waitFor({ state: 'visible' })
        await tid('inbox-badge').waitFor({ state: 'visible' })
        await tid('open-inbox').click()
        await tid('inbox').waitFor({ state: 'visible' })
        const msg = page.locator(byTestId('inbox-message')).first()
        await waitText(msg, ['为您推荐', jobTitle, '同县'])
        await tid('sms-consent').waitFor({ state: 'visible' })
        await shot('job-3-worker-inbox.png')
      }],
      ['worker opens the job and applies (报名)', async () => {
        await page.locator(byTestId('inbox-message')).first().click()
        await tid('job-feed').waitFor({ state: 'visible' })
        await page.locator(`${byTestId('job-card')}:has-text("${jobTitle}")`).first().click()
        await tid('job-detail').waitFor({ state: 'visible' })
        await waitText(tid('job-detail-title'), [jobTitle])
        await waitText(tid('job-reasons'), ['同县'])
        await tid('job-apply').click()
        await waitText(tid('application-status'), ['已报名'])
        await settle()
        await shot('job-4-worker-applied.png')
      }],
      ['applying twice shows the server message', async () => {
        await tid('job-apply').click()
        await waitText(tid('apply-message'), ['已经报名过'])
        await shot('job-5-worker-applied-twice.png')
      }],
      ['employer sees the candidate (masked)', async () => {
        await logout()
        await devLogin('employer')
        await tid('employer-home').waitFor({ state: 'visible' })
        await waitText(tid('employer-status'), ['已认证'])
        await page.locator(`${byTestId('employer-job')}:has-text("${jobTitle}")`).first().click()
        await tid('employer-job-page').waitFor({ state: 'visible' })
        const cand = page.locator(byTestId('candidate')).first()
        const text = await waitText(cand, ['报名', '*'])
        if (!text.includes(WORKER_NAME[0])) throw new Error(`candidate is not ${WORKER_NAME}: ${text}`)
        await shot('job-6-employer-candidates.png')
      }],
      ['employer confirms the hire', async () => {
        await tid('candidate-hire-open').click()
        await tid('hire-date').waitFor({ state: 'visible' })
        await tid('hire-confirm').click()
        await waitText(tid('candidate-status'), ['已录用'])
        await tid('candidate-hire').waitFor({ state: 'visible' })
        await settle()
        await shot('job-7-employer-hired.png')
      }],
      ['worker status shows the new job (在岗)', async () => {
        await logout()
        await devLogin('worker')
        const text = await waitText(tid('status-card'), ['在岗'])
        if (!text.includes('清真食品')) throw new Error(`status card without the employer: ${text}`)
        await shot('job-8-worker-working.png')
        await tid('open-jobs').click()
        await waitText(page.locator(byTestId('my-application-status')).first(), ['已录用'])
        await shot('job-9-worker-application-hired.png')
      }],
      ['the case is closed as placed on the cadre board', async () => {
        await logout()
        await devLogin('cadre')
        await tid('open-cases').click()
        await tid('case-board').waitFor({ state: 'visible' })
        await tid('case-tab-placed').click()
        const card = page.locator(`${byTestId('case-card')}:has-text("${WORKER_NAME}")`).first()
        await waitText(card, ['已上岗', '72小时内上岗'])
        await shot('job-10-cadre-case-placed.png')
      }]
    ]
    for (const [name, fn] of steps) {
      if (!(await step(name, fn))) {
        await page.screenshot({ path: path.join(ARTIFACT_DIR, 'worker-job-failure.png'), fullPage: true }).catch(() => undefined)
        failed += steps.length - passed - failed // the rest cannot run
        break
      }
    }
  } finally {
    await context.close().catch(() => undefined)
    fs.rmSync(profile, { recursive: true, force: true })
  }
  if (failed && consoleErrors.length) {
    console.log('browser errors:')
    for (const e of consoleErrors.slice(0, 20)) console.log(`  ${e}`)
  }
  console.log(`screenshots in ${ARTIFACT_DIR}`)
}

try {
  await main()
} catch (e) {
  failed++
  console.log(`FAIL e2e setup: ${e && e.message ? e.message : e}`)
}
console.log(`${passed} passed, ${failed} failed`)
process.exit(failed ? 1 : 0)
