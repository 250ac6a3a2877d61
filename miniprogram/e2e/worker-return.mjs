// E2E: a worker logs in with the dev login, reports 失业返乡 → 想找工作 in two taps, and the
// status card shows it. Runs the H5 build in headless Chromium (playwright-core + Debian's
// chromium). Env: BASE_URL (the server that serves dist/h5 and the API), ARTIFACT_DIR
// (screenshots; default ../test-artifacts from the miniprogram folder), CHROMIUM (binary).
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

  try {
    const steps = [
      ['login page lists the worker demo account', async () => {
        await page.goto(`${BASE_URL}/`, { waitUntil: 'domcontentloaded' })
        await page.locator(byTestId('dev-login-worker')).first().waitFor({ state: 'visible' })
        await page.screenshot({ path: path.join(ARTIFACT_DIR, 'login.png'), fullPage: true })
      }],
      ['worker logs in and sees the home', async () => {
        await page.locator(byTestId('dev-login-worker')).first().click()
        await page.locator(byTestId('report-returned')).first().waitFor({ state: 'visible' })
        await page.locator(byTestId('status-card')).first().waitFor({ state: 'visible' })
      }],
      ['tap 失业返乡 opens the sheet', async () => {
        await page.locator(byTestId('report-returned')).first().click()
        await page.locator(byTestId('returned-wants-work')).first().waitFor({ state: 'visible' })
      }],
      ['tap 想找工作 shows the new status', async () => {
        await page.locator(byTestId('returned-wants-work')).first().click()
        const card = page.locator(byTestId('status-card')).first()
        const deadline = Date.now() + TIMEOUT
        let text = ''
        while (Date.now() < deadline) {
          text = (await card.innerText().catch(() => '')) || ''
          if (text.includes('失业返乡') && text.includes('想找工作')) break
          await page.waitForTimeout(200)
        }
        if (!(text.includes('失业返乡') && text.includes('想找工作'))) {
          throw new Error(`status card says: ${JSON.stringify(text)}`)
        }
        await page.locator(byTestId('returned-wants-work')).first().waitFor({ state: 'hidden' })
        await page.waitForTimeout(1800) // let the confirmation toast (1.5 s) go before the picture
        await page.screenshot({ path: path.join(ARTIFACT_DIR, 'worker-returned.png'), fullPage: true })
      }]
    ]
    for (const [name, fn] of steps) {
      if (!(await step(name, fn))) {
        await page.screenshot({ path: path.join(ARTIFACT_DIR, 'worker-return-failure.png'), fullPage: true }).catch(() => undefined)
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
