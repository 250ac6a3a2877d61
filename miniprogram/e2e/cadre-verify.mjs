// E2E (issue 3): a worker reports 失业返乡 (making a returnee); the demo cadre opens that
// returnee's form from the task list, fills it, loses the network (every /api/ request is
// aborted), submits (待上传), reloads, finds the draft, gets the network back and submits
// (已提交); the task force confirms it in the review queue; the labourer's status and the six
// lists show the change. Runs the H5 build in headless Chromium (playwright-core + Debian's
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
// 东乡族自治县 锁南镇, where the demo villages are.
const GEO = { latitude: 35.6636, longitude: 103.3894, accuracy: 25 }
const WORKER_NAME = '马小军'

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

async function main() {
  fs.mkdirSync(ARTIFACT_DIR, { recursive: true })
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'jyb-e2e-'))
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 390, height: 844 },
    deviceScaleFactor: 2,
    locale: 'zh-CN',
    geolocation: GEO,
    permissions: ['geolocation'],
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
  const logout = async () => {
    // Only the session: the drafts stay on the "phone".
    await page.evaluate(() => {
      for (const k of Object.keys(localStorage)) if (!k.startsWith('jyb.drafts.')) localStorage.removeItem(k)
    })
    await page.goto(`${BASE_URL}/#/pages/login/index`, { waitUntil: 'domcontentloaded' })
    await page.reload({ waitUntil: 'domcontentloaded' })
  }
  const devLogin = async (role) => {
    await tid(`dev-login-${role}`).waitFor({ state: 'visible' })
    await tid(`dev-login-${role}`).click()
  }

  let labourerId = ''
  let blocked = false
  const block = async () => {
    await page.route('**/api/**', (r) => r.abort())
    blocked = true
  }
  const unblock = async () => {
    await page.unroute('**/api/**')
    blocked = false
  }

  try {
    const steps = [
      ['the worker reports 失业返乡 (a new returnee)', async () => {
        await page.goto(`${BASE_URL}/`, { waitUntil: 'domcontentloaded' })
        await devLogin('worker')
        await tid('report-returned').waitFor({ state: 'visible' })
        await tid('report-returned').click()
        await tid('returned-wants-work').click()
        await waitText(tid('status-card'), ['失业返乡'])
      }],
      ['the cadre logs in and opens the month\'s tasks', async () => {
        await logout()
        await devLogin('cadre')
        await tid('open-tasks').click()
        await tid('cadre-tasks').waitFor({ state: 'visible' })
      }],
      ['the returnee is in the task list (新返乡 or 自报待核实)', async () => {
        for (const tab of ['new_returnees', 'self_reports', 'due']) {
          await tid(`tab-${tab}`).click()
          await page.waitForTimeout(800)
          const card = page.locator('[data-testid^="task-"]').filter({ hasText: WORKER_NAME }).first()
          if (await card.count()) {
            const id = (await card.getAttribute('data-testid')).replace(/^task-/, '')
            labourerId = id
            break
          }
        }
        if (!labourerId) throw new Error(`${WORKER_NAME} is in no tab`)
        await shot('cadre-tasks.png')
      }],
      ['open the returnee\'s form: prefilled from the ledger', async () => {
        await tid(`task-open-${labourerId}`).click()
        await tid('verify-form').waitFor({ state: 'visible' })
        await waitText(tid('form-name'), [WORKER_NAME])
        await tid('sec-basic').waitFor({ state: 'visible' })
        await shot('cadre-form-prefilled.png')
      }],
      ['是否务工 swaps 已外出 and 暂未外出 both ways; 外出计划 swaps 意向地 and 原因', async () => {
        await tid('working-yes').click()
        await tid('sec-employment').waitFor({ state: 'visible' })
        if (await tid('sec-not_out').count()) throw new Error('暂未外出务工情况 still shown')
        await tid('working-no').click()
        await tid('sec-not_out').waitFor({ state: 'visible' })
        if (await tid('sec-employment').count()) throw new Error('已外出务工情况 still shown')
        await tid('not_out-type-lost_job').click()
        await tid('not_out-has_plan-no').click()
        await tid('sec-plan_no').waitFor({ state: 'visible' })
        await tid('not_out-has_plan-yes').click()
        await tid('sec-plan_yes').waitFor({ state: 'visible' })
        if (await tid('sec-plan_no').count()) throw new Error('无外出意愿原因 still shown')
      }],
      ['fill the plan, the return, services', async () => {
        await tid('in-not_out-dest_code').click()
        await tid('region-32').click()
        await tid('region-3205').click()
        await fill('in-not_out-job', '普工')
        await fill('in-not_out-expected_wage', '5000')
        await tid('return-returned-yes').click()
        await tid('sec-return_detail').waitFor({ state: 'visible' })
        await tid('return-reason-personal').click()
        await tid('in-return-prev_place_code').click()
        await tid('region-32').click()
        await tid('region-3205').click()
        await tid('region-320583').click()
        await page.waitForTimeout(600)
        const here = tid('region-pick-here')
        if (await here.isVisible().catch(() => false)) {
          // Towns exist: pick the first one (务工地点 down to the town).
          const town = page.locator('[data-testid^="region-320583"]').first()
          if (await town.count()) await town.click()
          else await here.click()
        }
        await tid('services-none').click()
      }],
      ['location recorded and the labourer signs on the screen', async () => {
        await waitText(tid('form-location'), ['35.66'])
        const canvas = tid('signature-canvas')
        await canvas.scrollIntoViewIfNeeded()
        const box = await canvas.boundingBox()
        await page.mouse.move(box.x + 30, box.y + 60)
        await page.mouse.down()
        for (let i = 1; i <= 12; i++) await page.mouse.move(box.x + 30 + i * 18, box.y + 60 + Math.sin(i) * 30, { steps: 2 })
        await page.mouse.up()
        await page.waitForTimeout(200)
        const saved = await page.evaluate(() => Object.entries(localStorage).filter(([k]) => k.startsWith('jyb.drafts.')).map(([, v]) => v).join(''))
        if (!saved.includes('data:image/png;base64,')) throw new Error('signature not in the saved draft')
        await shot('cadre-form-filled.png')
      }],
      ['network lost: submit keeps the form as 待上传', async () => {
        await block()
        await tid('form-submit').click()
        await waitText(tid('form-sync'), ['待上传'])
        await shot('cadre-form-offline.png')
      }],
      ['reload with no network: the draft is still there, 待上传', async () => {
        await page.goto(`${BASE_URL}/#/cadre/tasks/index`, { waitUntil: 'domcontentloaded' })
        await page.reload({ waitUntil: 'domcontentloaded' })
        await tid(`draft-${labourerId}`).waitFor({ state: 'visible' })
        await waitText(tid(`draft-sync-${labourerId}`), ['待上传'])
        await shot('cadre-drafts-after-reload.png')
        await tid(`draft-${labourerId}`).click()
        await waitText(tid('form-sync'), ['待上传'])
        await waitText(tid('form-name'), [WORKER_NAME])
      }],
      ['network back: submit goes through (已提交)', async () => {
        await unblock()
        await tid('form-submit').click().catch(() => undefined) // the automatic retry may win the race
        await waitText(tid('form-sync'), ['已提交'], TIMEOUT * 2)
        await tid('form-submitted').waitFor({ state: 'visible' })
        await page.waitForTimeout(1600)
        await shot('cadre-form-submitted.png')
      }],
      ['the task force confirms it in the review queue', async () => {
        await logout()
        await devLogin('taskforce')
        await tid('open-review').click()
        await tid(`review-item-form-${labourerId}`).waitFor({ state: 'visible' })
        await tid(`review-open-form-${labourerId}`).click()
        await page.locator('[data-testid^="form-detail-"]').first().waitFor({ state: 'visible' })
        await shot('taskforce-review.png')
        await tid(`review-confirm-form-${labourerId}`).click()
        await waitText(tid('review-notice'), ['已确认 1 份'])
        await page.waitForTimeout(300)
        if (await tid(`review-item-form-${labourerId}`).count()) throw new Error('the form is still in the queue')
        await shot('taskforce-confirmed.png')
      }],
      ['the labourer\'s status shows the confirmed form (想外出 → 苏州, 普工, 5000)', async () => {
        await page.goto(`${BASE_URL}/#/office/labourer/index?id=${labourerId}`, { waitUntil: 'domcontentloaded' })
        await waitText(tid('status-card'), ['想外出', '苏州', '普工', '5000'])
        await shot('labourer-after-confirm.png')
      }],
      ['the six lists count him (今年返乡回流 / 有意愿外出)', async () => {
        await page.goto(`${BASE_URL}/#/office/lists/index`, { waitUntil: 'domcontentloaded' })
        await tid('count-returned').waitFor({ state: 'visible' })
        let found = ''
        for (const list of ['returned', 'willing']) {
          await tid(`list-${list}`).click()
          await page.waitForTimeout(1000)
          if (await tid(`person-${labourerId}`).count()) {
            found = list
            break
          }
        }
        await shot('six-lists.png')
        if (!found) throw new Error('not on 今年返乡回流 nor 有意愿外出')
        const n = Number(await tid(`count-${found}`).innerText())
        if (!(n >= 1)) throw new Error(`count-${found} is ${n}`)
      }]
    ]
    for (const [name, fn] of steps) {
      if (!(await step(name, fn))) {
        if (blocked) await unblock().catch(() => undefined)
        await shot('cadre-verify-failure.png').catch(() => undefined)
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
