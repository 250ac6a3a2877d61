// E2E (issue 2): a worker logs in with the dev login, reports 失业返乡 → 想找工作 in two taps,
// and the status card shows it. Env and output: see lib.mjs.
import { run } from './lib.mjs'

await run('worker-return', (t) => [
  ['login page lists the worker demo account', async () => {
    await t.go('/')
    await t.tid('dev-login-worker').waitFor({ state: 'visible' })
    await t.shot('login.png')
  }],
  ['worker logs in and sees the home', async () => {
    await t.devLogin('worker')
    await t.tid('report-returned').waitFor({ state: 'visible' })
    await t.tid('status-card').waitFor({ state: 'visible' })
  }],
  ['tap 失业返乡 opens the sheet', async () => {
    await t.tid('report-returned').click()
    await t.tid('returned-wants-work').waitFor({ state: 'visible' })
  }],
  ['tap 想找工作 shows the new status', async () => {
    await t.tid('returned-wants-work').click()
    await t.waitText(t.tid('status-card'), ['失业返乡', '想找工作'], 'status card')
    await t.tid('returned-wants-work').waitFor({ state: 'hidden' })
    await t.page.waitForTimeout(1800) // let the confirmation toast (1.5 s) go before the picture
    await t.shot('worker-returned.png')
  }]
])
