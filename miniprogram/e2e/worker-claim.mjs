// E2E (issue 5): a worker who went to work out of the province (the demo worker 马小军, verified
// in 昆山 by the cadre) claims the 交通补助 on the phone, is approved at once under 免审即享 and sees
// the amount; the task force publishes the 公示; closing it early is refused; the server's
// development clock (DEV_CLOCK=true, PUT /api/v1/dev/clock) is moved past the notice period and
// the task force closes it, batches the claim, cancels that batch with a reason and batches it
// again, the maker's own approval is refused, a second
// account (the demo admin) approves, the bank file is exported and the line is marked paid and
// reconciled; the worker's phone shows 已发放. The clock is put back at the end.
// Env and output: see lib.mjs.
import fs from 'node:fs'
import path from 'node:path'
import { byTestId, DESKTOP, PHONE, run, setClockOffset } from './lib.mjs'

// Past any notice period the task force can choose (公示 days are working days).
const NOTICE_SKIP_HOURS = 24 * 20

await run('worker-claim', (t) => {
  let claimId = ''
  let noticeId = ''
  let batchId = ''
  /** createBatch taps 生成批次 on the batch list and returns the new batch's id. */
  const createBatch = async () => {
    const resp = t.page.waitForResponse((r) => r.url().endsWith('/api/v1/batches') && r.request().method() === 'POST')
    await t.tid('batch-create').click()
    const r = await resp
    const body = await r.json().catch(() => ({}))
    if (r.status() !== 201) throw new Error(`create batch: ${r.status()} ${JSON.stringify(body)}`)
    await t.tid('batch-page').waitFor({ state: 'visible' })
    return body.id
  }
  return [
    ['worker logs in and opens 交通补助', async () => {
      await t.go('/')
      await t.devLogin('worker')
      await t.tid('open-claims').waitFor({ state: 'visible' })
      await t.tid('open-claims').click()
      await t.tid('claims-page').waitFor({ state: 'visible' })
      await t.tid('bank-card').waitFor({ state: 'visible' })
      await t.shot('01-worker-claims-empty.png')
    }],
    ['worker registers the bank account (shown masked)', async () => {
      await t.waitText(t.tid('bank-card'), ['收款银行卡'], 'bank card')
      await t.page.waitForFunction(() => !document.querySelector('[data-testid="bank-card"]').innerText.includes('正在读取'))
      if (await t.tid('bank-masked').count()) return // already on file (a second run)
      await t.tid('bank-card').click()
      await t.tid('bank-page').waitFor({ state: 'visible' })
      await t.fill('bank-holder', '马小军')
      await t.fill('bank-name', '中国农业银行东乡县支行')
      await t.fill('bank-number', '6228480010000000017')
      await t.shot('02-worker-bank-form.png')
      await t.tid('bank-save').click()
      await t.tid('claims-page').waitFor({ state: 'visible' })
      await t.waitText(t.tid('bank-card'), ['0017', '*'], 'masked account')
      const text = await t.tid('bank-card').innerText()
      if (text.includes('6228480010000000017')) throw new Error('the whole account number is on screen')
    }],
    ['worker fills the claim: from home, to 昆山 (江苏), no amount field', async () => {
      await t.tid('claim-new').click()
      await t.tid('claim-form').waitFor({ state: 'visible' })
      await t.waitText(t.tid('policy-terms'), ['免审即享', '省外600元'], 'policy terms')
      await t.waitText(t.tid('claim-from'), ['东乡族自治县'], 'trip from defaults to the home county')
      await t.tid('claim-to').click()
      await t.tid('region-32').click()
      await t.tid('region-3205').click()
      await t.tid('region-320583').click()
      await t.waitText(t.tid('claim-to'), ['江苏', '昆山'], 'trip to')
      if (await t.page.locator('input[name*="amount"], [data-testid*="amount-input"]').count()) throw new Error('an amount input exists')
      await t.shot('03-worker-claim-form.png')
    }],
    ['免审即享: approved at once, the amount (600元) and the reasons shown', async () => {
      const resp = t.page.waitForResponse((r) => r.url().endsWith('/api/v1/me/claims') && r.request().method() === 'POST')
      await t.tid('claim-submit').click()
      const r = await resp
      const body = await r.json().catch(() => ({}))
      const c = r.status() === 201 ? body : body && body.error && body.error.data
      if (!c || !c.id) throw new Error(`claim answer ${r.status()}`)
      claimId = c.id
      await t.tid('claim-result').waitFor({ state: 'visible' })
      if (r.status() === 201) await t.waitText(t.tid('result-status'), ['已通过'], 'result status')
      await t.waitText(t.tid('result-amount'), ['600元'], 'amount')
      await t.waitText(t.tid('result-conditions'), ['台账在册', '已核实的县外务工'], 'conditions')
      await t.page.waitForTimeout(300)
      await t.shot('04-worker-claim-approved.png')
    }],
    ['the claim list shows it 已通过 with 600元', async () => {
      await t.tid('claim-done').click()
      await t.tid('claims-page').waitFor({ state: 'visible' })
      const card = t.tid(`claim-${claimId}`)
      await t.waitText(card, ['600元', '外出务工交通补助'], 'claim card')
      await t.shot('05-worker-claim-list.png')
    }],
    ['task force opens the subsidy review: the claim is approved, waiting for the notice', async () => {
      await t.logout()
      await t.devLogin('taskforce')
      await t.tid('open-subsidies').waitFor({ state: 'visible' })
      await t.tid('open-subsidies').click()
      await t.tid('subsidy-review').waitFor({ state: 'visible' })
      await t.tid('tab-approved').click()
      await t.waitText(t.tid(`review-${claimId}`), ['马小军', '600元', '全部条件已由台账核实'], 'approved claim in the list')
      await t.page.setViewportSize(DESKTOP)
      await t.shot('06-taskforce-approved.png')
    }],
    ['task force publishes the 公示 (1 working day)', async () => {
      await t.tid('open-notices').click()
      await t.tid('notices-page').waitFor({ state: 'visible' })
      await t.fill('notice-days', '1')
      const resp = t.page.waitForResponse((r) => r.url().endsWith('/api/v1/notices') && r.request().method() === 'POST')
      await t.tid('notice-publish').click()
      const r = await resp
      const body = await r.json().catch(() => ({}))
      if (r.status() !== 201) throw new Error(`publish: ${r.status()} ${JSON.stringify(body)}`)
      noticeId = body.id
      await t.waitText(t.tid('notice-ok'), ['已发布公示'], 'publish message')
      await t.tid(`notice-item-${claimId}`).waitFor({ state: 'visible' })
      await t.waitText(t.tid(`notice-item-${claimId}`), ['马*军', '600元', '公示中'], 'notice item (masked name)')
      await t.shot('07-taskforce-notice-published.png')
    }],
    ['closing before the end is refused clearly (公示期还没有结束)', async () => {
      await t.tid('notice-close').click()
      await t.waitText(t.tid('notice-error'), ['公示期还没有结束'], 'refusal')
      await t.shot('08-taskforce-notice-refused.png')
    }],
    ['[development clock +20 days] the notice period has passed; the task force closes the notice', async () => {
      await setClockOffset(NOTICE_SKIP_HOURS)
      await t.tid('notice-close').click()
      await t.waitText(t.tid('notice-ok'), ['公示已办结', '公示结束'], 'closed')
      await t.waitText(t.tid(`notice-item-${claimId}`), ['无异议'], 'item passed')
      await t.shot('09-taskforce-notice-closed.png')
    }],
    ['task force creates a batch, then cancels it with a reason: the claim goes back', async () => {
      await t.go('/taskforce/subsidies/batches')
      await t.tid('batches-page').waitFor({ state: 'visible' })
      batchId = await createBatch()
      await t.tid('batch-cancel').click()
      await t.waitText(t.tid('batch-error'), ['请先填写撤销原因'], 'a reason is required')
      await t.fill('cancel-reason', '收款账户待核实')
      await t.tid('batch-cancel').click()
      // Taro's H5 modal: confirm with its 确定撤销 button.
      await t.page.getByText('确定撤销', { exact: true }).click()
      await t.waitText(t.tid('batch-state'), ['已撤销'], 'cancelled')
      await t.waitText(t.tid('batch-cancelled'), ['收款账户待核实'], 'cancel reason')
      await t.shot('10-taskforce-batch-cancelled.png')
    }],
    ['task force creates the batch again: it includes the claim', async () => {
      await t.go('/taskforce/subsidies/batches')
      await t.tid('batches-page').waitFor({ state: 'visible' })
      const again = await createBatch()
      if (again === batchId) throw new Error('the cancelled batch came back')
      batchId = again
      await t.waitText(t.tid(`line-${claimId}`), ['马小军', '600元', '0017'], 'batch line')
      const text = await t.tid(`line-${claimId}`).innerText()
      if (text.includes('6228480010000000017')) throw new Error('the whole account number is on screen')
      await t.shot('11-taskforce-batch-draft.png')
    }],
    ['the maker submits it; approving it himself is refused', async () => {
      await t.tid('batch-prepare').click()
      await t.waitText(t.tid('batch-state'), ['待复核'], 'prepared')
      await t.tid('batch-approve').click()
      await t.waitText(t.tid('batch-error'), ['同一账号不能既制单又复核'], 'maker-checker refusal')
      await t.shot('12-taskforce-self-approve-refused.png')
    }],
    ['a second account (the demo admin) approves', async () => {
      await t.logout()
      await t.devLogin('admin')
      await t.tid('office-home').waitFor({ state: 'visible' })
      await t.go(`/taskforce/subsidies/batch?id=${batchId}`)
      await t.tid('batch-page').waitFor({ state: 'visible' })
      await t.tid('batch-approve').click()
      await t.waitText(t.tid('batch-state'), ['已复核'], 'approved')
      await t.shot('13-admin-approved.png')
    }],
    ['export the bank file (download, whole account number inside)', async () => {
      await t.fill('export-purpose', '报送农业银行代发交通补助')
      const dl = t.page.waitForEvent('download')
      await t.tid('batch-export').click()
      const d = await dl
      const file = path.join(t.artifactDir, d.suggestedFilename() || `batch-${batchId}.xlsx`)
      await d.saveAs(file)
      if (fs.statSync(file).size < 100) throw new Error('bank file is empty')
      await t.waitText(t.tid('batch-state'), ['已导出'], 'exported')
      await t.shot('14-batch-exported.png')
    }],
    ['mark the line paid; reconcile: totals balance', async () => {
      await t.tid(`line-${claimId}`).locator(byTestId('line-paid')).click()
      await t.waitText(t.tid(`line-${claimId}`), ['已发放'], 'line paid')
      await t.waitText(t.tid('total-paid'), ['600元'], 'paid total')
      await t.tid('batch-reconcile').click()
      await t.waitText(t.tid('batch-state'), ['已对账'], 'reconciled')
      await t.waitText(t.tid('balanced'), ['平'], 'balanced')
      await t.shot('15-batch-reconciled.png')
    }],
    ['the worker\'s phone shows 已发放', async () => {
      await t.page.setViewportSize(PHONE) // before the reload: the H5 sizes its rem unit at load
      await t.logout()
      await t.devLogin('worker')
      await t.tid('open-claims').click()
      await t.tid('claims-page').waitFor({ state: 'visible' })
      await t.waitText(t.tid(`claim-${claimId}`).locator(byTestId('claim-status')), ['已发放'], 'worker status')
      await t.shot('16-worker-paid.png')
    }]
  ]
}, {
  cleanup: () => setClockOffset(0)
})
