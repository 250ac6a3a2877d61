// E2E (issue 5): a worker who went to work out of the province (the demo worker 马小军, verified
// in 昆山 by the cadre) claims the 交通补助 on the phone, is approved at once under 免审即享 and sees
// the amount; the task force publishes the 公示; after the notice period the task force batches
// the claim, the maker's own approval is refused, a second account (the demo admin) approves, the
// bank file is exported and the line is marked paid; the worker's phone shows 已发放.
//
// The notice period: the server has no clock hook and a notice closes only after its end
// (POST /notices/:id/close answers 409 notice_running before). Without NOTICE_DB the run stops
// at the notice with the claim 公示中 (and says so). With NOTICE_DB=<DATA_DIR>/jiuyebang.db (the
// embedded SQLite of the server under test) the run simulates the period having passed by moving
// that one notice's ends_at into the past with the sqlite3 CLI, then goes on through the UI.
//
// Env: BASE_URL, ARTIFACT_DIR (screenshots and the bank file), CHROMIUM, NOTICE_DB, SQLITE3.
// Prints "N passed, N failed" and exits non-zero on any failure.
import { chromium } from 'playwright-core'
import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const here = path.dirname(fileURLToPath(import.meta.url))
const BASE_URL = (process.env.BASE_URL || 'http://127.0.0.1:18484').replace(/\/+$/, '')
const ARTIFACT_DIR = process.env.ARTIFACT_DIR
  ? path.resolve(process.env.ARTIFACT_DIR)
  : path.resolve(here, '..', '..', 'test-artifacts', 'worker-claim')
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium'
const TIMEOUT = Number(process.env.E2E_TIMEOUT_MS || 15000)
const NOTICE_DB = process.env.NOTICE_DB || ''
const SQLITE3 = process.env.SQLITE3 || 'sqlite3'

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

async function main() {
  fs.mkdirSync(ARTIFACT_DIR, { recursive: true })
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'jyb-e2e-'))
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 390, height: 844 },
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

  const shot = (name) => page.screenshot({ path: path.join(ARTIFACT_DIR, name), fullPage: true })
  const tid = (id) => page.locator(byTestId(id)).first()
  const fill = async (id, value) => {
    const el = tid(id)
    const inner = el.locator('input, textarea')
    if (await inner.count()) await inner.first().fill(value)
    else await el.fill(value)
  }
  /** waitText waits until the element's text contains every word. */
  const waitText = async (loc, words, what) => {
    const deadline = Date.now() + TIMEOUT
    let text = ''
    while (Date.now() < deadline) {
      text = (await loc.innerText().catch(() => '')) || ''
      if (words.every((w) => text.includes(w))) return text
      await page.waitForTimeout(200)
    }
    throw new Error(`${what}: ${JSON.stringify(text.slice(0, 300))}`)
  }
  const logout = async () => {
    await page.evaluate(() => localStorage.clear())
    await page.goto(`${BASE_URL}/#/pages/login/index`, { waitUntil: 'domcontentloaded' })
    await page.reload({ waitUntil: 'domcontentloaded' })
  }
  const devLogin = async (role) => {
    await tid(`dev-login-${role}`).waitFor({ state: 'visible' })
    await tid(`dev-login-${role}`).click()
  }
  const go = (hash) => page.goto(`${BASE_URL}/#${hash}`, { waitUntil: 'domcontentloaded' })

  let claimId = ''
  let noticeId = ''
  let batchId = ''
  let stoppedAtNotice = false

  try {
    const steps = [
      ['worker logs in and opens 交通补助', async () => {
        await page.goto(`${BASE_URL}/`, { waitUntil: 'domcontentloaded' })
        await devLogin('worker')
        await tid('open-claims').waitFor({ state: 'visible' })
        await tid('open-claims').click()
        await tid('claims-page').waitFor({ state: 'visible' })
        await tid('bank-card').waitFor({ state: 'visible' })
        await shot('01-worker-claims-empty.png')
      }],
      ['worker registers the bank account (shown masked)', async () => {
        await waitText(tid('bank-card'), ['收款银行卡'], 'bank card')
        await page.waitForFunction(() => !document.querySelector('[data-testid="bank-card"]').innerText.includes('正在读取'))
        if (await tid('bank-masked').count()) return // already on file (a second run)
        await tid('bank-card').click()
        await tid('bank-page').waitFor({ state: 'visible' })
        await fill('bank-holder', '马小军')
        await fill('bank-name', '中国农业银行东乡县支行')
        await fill('bank-number', '6228480010000000017')
        await shot('02-worker-bank-form.png')
        await tid('bank-save').click()
        await tid('claims-page').waitFor({ state: 'visible' })
        await waitText(tid('bank-card'), ['0017', '*'], 'masked account')
        const t = await tid('bank-card').innerText()
        if (t.includes('6228480010000000017')) throw new Error('the whole account number is on screen')
      }],
      ['worker fills the claim: from home, to 昆山 (江苏), no amount field', async () => {
        await tid('claim-new').click()
        await tid('claim-form').waitFor({ state: 'visible' })
        await waitText(tid('policy-terms'), ['免审即享', '省外600元'], 'policy terms')
        await waitText(tid('claim-from'), ['东乡族自治县'], 'trip from defaults to the home county')
        await tid('claim-to').click()
        await tid('region-32').click()
        await tid('region-3205').click()
        await tid('region-320583').click()
        await waitText(tid('claim-to'), ['江苏', '昆山'], 'trip to')
        if (await page.locator('input[name*="amount"], [data-testid*="amount-input"]').count()) throw new Error('an amount input exists')
        await shot('03-worker-claim-form.png')
      }],
      ['免审即享: approved at once, the amount (600元) and the reasons shown', async () => {
        const resp = page.waitForResponse((r) => r.url().endsWith('/api/v1/me/claims') && r.request().method() === 'POST')
        await tid('claim-submit').click()
        const r = await resp
        const body = await r.json().catch(() => ({}))
        const c = r.status() === 201 ? body : body && body.error && body.error.data
        if (!c || !c.id) throw new Error(`claim answer ${r.status()}`)
        claimId = c.id
        await tid('claim-result').waitFor({ state: 'visible' })
        if (r.status() === 201) await waitText(tid('result-status'), ['已通过'], 'result status')
        await waitText(tid('result-amount'), ['600元'], 'amount')
        await waitText(tid('result-conditions'), ['台账在册', '已核实的县外务工'], 'conditions')
        await page.waitForTimeout(300)
        await shot('04-worker-claim-approved.png')
      }],
      ['the claim list shows it 已通过 with 600元', async () => {
        await tid('claim-done').click()
        await tid('claims-page').waitFor({ state: 'visible' })
        const card = tid(`claim-${claimId}`)
        await waitText(card, ['600元', '外出务工交通补助'], 'claim card')
        await shot('05-worker-claim-list.png')
      }],
      ['task force opens the subsidy review: the claim is approved, waiting for the notice', async () => {
        await logout()
        await devLogin('taskforce')
        await tid('open-subsidies').waitFor({ state: 'visible' })
        await tid('open-subsidies').click()
        await tid('subsidy-review').waitFor({ state: 'visible' })
        await tid('tab-approved').click()
        await waitText(tid(`review-${claimId}`), ['马小军', '600元', '全部条件已由台账核实'], 'approved claim in the list')
        await page.setViewportSize({ width: 1280, height: 900 })
        await shot('06-taskforce-approved.png')
      }],
      ['task force publishes the 公示 (1 working day)', async () => {
        await tid('open-notices').click()
        await tid('notices-page').waitFor({ state: 'visible' })
        await fill('notice-days', '1')
        const resp = page.waitForResponse((r) => r.url().endsWith('/api/v1/notices') && r.request().method() === 'POST')
        await tid('notice-publish').click()
        const r = await resp
        const body = await r.json().catch(() => ({}))
        if (r.status() !== 201) throw new Error(`publish: ${r.status()} ${JSON.stringify(body)}`)
        noticeId = body.id
        await waitText(tid('notice-ok'), ['已发布公示'], 'publish message')
        await tid(`notice-item-${claimId}`).waitFor({ state: 'visible' })
        await waitText(tid(`notice-item-${claimId}`), ['马*军', '600元', '公示中'], 'notice item (masked name)')
        await shot('07-taskforce-notice-published.png')
      }],
      ['closing before the end is refused clearly (公示期还没有结束)', async () => {
        await tid('notice-close').click()
        await waitText(tid('notice-error'), ['公示期还没有结束'], 'refusal')
        await shot('08-taskforce-notice-refused.png')
      }]
    ]
    const afterNotice = [
      ['[simulated clock] the notice period has passed; the task force closes the notice', async () => {
        execFileSync(SQLITE3, [NOTICE_DB, `UPDATE notices SET ends_at = '2000-01-01 00:00:00+00:00' WHERE id = ${BigInt(noticeId)}`])
        await tid('notice-close').click()
        await waitText(tid('notice-ok'), ['公示已办结', '公示结束'], 'closed')
        await waitText(tid(`notice-item-${claimId}`), ['无异议'], 'item passed')
        await shot('09-taskforce-notice-closed.png')
      }],
      ['task force creates the batch: it includes the claim', async () => {
        await go('/taskforce/subsidies/batches')
        await tid('batches-page').waitFor({ state: 'visible' })
        const resp = page.waitForResponse((r) => r.url().endsWith('/api/v1/batches') && r.request().method() === 'POST')
        await tid('batch-create').click()
        const r = await resp
        const body = await r.json().catch(() => ({}))
        if (r.status() !== 201) throw new Error(`create batch: ${r.status()} ${JSON.stringify(body)}`)
        batchId = body.id
        await tid('batch-page').waitFor({ state: 'visible' })
        await waitText(tid(`line-${claimId}`), ['马小军', '600元', '0017'], 'batch line')
        const t = await tid(`line-${claimId}`).innerText()
        if (t.includes('6228480010000000017')) throw new Error('the whole account number is on screen')
        await shot('10-taskforce-batch-draft.png')
      }],
      ['the maker submits it; approving it himself is refused', async () => {
        await tid('batch-prepare').click()
        await waitText(tid('batch-state'), ['待复核'], 'prepared')
        await tid('batch-approve').click()
        await waitText(tid('batch-error'), ['同一账号不能既制单又复核'], 'maker-checker refusal')
        await shot('11-taskforce-self-approve-refused.png')
      }],
      ['a second account (the demo admin) approves', async () => {
        await logout()
        await devLogin('admin')
        await tid('office-home').waitFor({ state: 'visible' })
        await go(`/taskforce/subsidies/batch?id=${batchId}`)
        await tid('batch-page').waitFor({ state: 'visible' })
        await tid('batch-approve').click()
        await waitText(tid('batch-state'), ['已复核'], 'approved')
        await shot('12-admin-approved.png')
      }],
      ['export the bank file (download, whole account number inside)', async () => {
        await fill('export-purpose', '报送农业银行代发交通补助')
        const dl = page.waitForEvent('download')
        await tid('batch-export').click()
        const d = await dl
        const file = path.join(ARTIFACT_DIR, d.suggestedFilename() || `batch-${batchId}.xlsx`)
        await d.saveAs(file)
        if (fs.statSync(file).size < 100) throw new Error('bank file is empty')
        await waitText(tid('batch-state'), ['已导出'], 'exported')
        await shot('13-batch-exported.png')
      }],
      ['mark the line paid; reconcile: totals balance', async () => {
        await tid(`line-${claimId}`).locator(byTestId('line-paid')).click()
        await waitText(tid(`line-${claimId}`), ['已发放'], 'line paid')
        await waitText(tid('total-paid'), ['600元'], 'paid total')
        await tid('batch-reconcile').click()
        await waitText(tid('batch-state'), ['已对账'], 'reconciled')
        await waitText(tid('balanced'), ['平'], 'balanced')
        await shot('14-batch-reconciled.png')
      }],
      ['the worker\'s phone shows 已发放', async () => {
        await logout()
        await page.setViewportSize({ width: 390, height: 844 })
        await devLogin('worker')
        await tid('open-claims').click()
        await tid('claims-page').waitFor({ state: 'visible' })
        await waitText(tid(`claim-${claimId}`).locator(byTestId('claim-status')), ['已发放'], 'worker status')
        await shot('15-worker-paid.png')
      }]
    ]
    const atNotice = [
      ['[no clock hook] the worker sees the claim 公示中 (run stops here)', async () => {
        stoppedAtNotice = true
        await logout()
        await page.setViewportSize({ width: 390, height: 844 })
        await devLogin('worker')
        await tid('open-claims').click()
        await tid('claims-page').waitFor({ state: 'visible' })
        await waitText(tid(`claim-${claimId}`).locator(byTestId('claim-status')), ['公示中'], 'worker status')
        await shot('09-worker-in-notice.png')
      }]
    ]
    const all = [...steps, ...(NOTICE_DB ? afterNotice : atNotice)]
    for (const [name, fn] of all) {
      if (!(await step(name, fn))) {
        await shot('worker-claim-failure.png').catch(() => undefined)
        failed += all.length - passed - failed // the rest cannot run
        break
      }
    }
  } finally {
    await context.close().catch(() => undefined)
    fs.rmSync(profile, { recursive: true, force: true })
  }
  if (stoppedAtNotice) {
    console.log('note: stopped at the 公示 — the server has no clock hook and refuses to close a notice before its end;')
    console.log('      set NOTICE_DB=<DATA_DIR>/jiuyebang.db to simulate the period passing and run to 已发放')
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
