// E2E (issue 4): a worker reports 失业返乡 → 想找工作; the matching job appears in their feed
// and inbox with its reasons (matching runs on the queue, so the feed is polled); they apply
// (a second tap shows the server's "already applied"); the demo employer finds the candidate
// and confirms the hire; the worker's status shows the new job (在岗) and the cadre's 72-hour
// board shows the case closed as 已上岗. Runs the H5 build in headless Chromium
// (playwright-core + Debian's chromium). Needs a fresh data dir (the demo worker must not have
// been hired before). When the demo seed has no employer or open job (service/demo's Jobs not
// wired), the set-up step makes them through the API as the demo employer and task force.
// Env and output: see lib.mjs; E2E_MATCH_WAIT_MS bounds the wait for the feed.
import { api, byTestId, run, tokenFor } from './lib.mjs'

const MATCH_WAIT = Number(process.env.E2E_MATCH_WAIT_MS || 20000)
const WORKER_NAME = '马小军'
const COUNTY = '622926' // 东乡族自治县, the demo worker's county

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
  let me = await api('GET', '/api/v1/me/employer', null, emp)
  const tf = await tokenFor('taskforce')
  const made = []
  if (me.status === 404) {
    const r = await api('POST', '/api/v1/me/employer', {
      credit_code: creditCode(`91${COUNTY}MA7E2E${String(Date.now() % 1000).padStart(3, '0')}`),
      name: '临夏清真食品有限公司（演示）', kind: 'enterprise', region_code: COUNTY, address: '锁南镇工业园区',
      contact_name: '马经理', phone: '13993100000'
    }, emp)
    if (r.status !== 201) throw new Error(`register employer: HTTP ${r.status} ${JSON.stringify(r.body)}`)
    made.push('employer')
    me = r
  }
  if (me.body.status === 'pending') {
    const r = await api('POST', `/api/v1/employers/${me.body.id}/review`, { decision: 'verify' }, tf)
    if (r.status !== 200) throw new Error(`verify employer: HTTP ${r.status} ${JSON.stringify(r.body)}`)
  }
  const jobs = await api('GET', '/api/v1/me/employer/jobs?page_size=100', null, emp)
  if (!(jobs.body.items || []).some((j) => j.status === 'open' && j.place_code === COUNTY)) {
    const until = new Date(Date.now() + 30 * 86400000).toISOString().slice(0, 10)
    const j = await api('POST', '/api/v1/me/employer/jobs', {
      title: '清真食品包装普工', industry: 'general_worker', headcount: 5, wage_min: 5200, wage_max: 6000, place_code: COUNTY,
      min_age: 18, max_age: 55, capacities: ['ordinary', 'skilled'], housing: true, meals: true, transport: false,
      description: '食品包装、装箱', valid_until: until
    }, emp)
    if (j.status !== 201) throw new Error(`post job: HTTP ${j.status} ${JSON.stringify(j.body)}`)
    const r = await api('POST', `/api/v1/jobs/${j.body.id}/review`, { decision: 'approve' }, tf)
    if (r.status !== 200) throw new Error(`approve job: HTTP ${r.status} ${JSON.stringify(r.body)}`)
    made.push('job')
  }
  return made
}

await run('worker-job', (t) => {
  let jobTitle = ''
  const settle = () => t.page.waitForTimeout(1800) // let a toast (1.5 s) go before a picture
  return [
    ['set-up: the demo employer is verified and has an open job', async () => {
      const made = await ensureOpenJob()
      if (made.length) console.log(`     (made through the API: ${made.join(', ')})`)
    }],
    ['worker logs in', async () => {
      await t.go('/')
      await t.devLogin('worker')
      await t.tid('report-returned').waitFor({ state: 'visible' })
      await t.tid('status-card').waitFor({ state: 'visible' })
    }],
    ['worker reports 失业返乡 → 想找工作', async () => {
      await t.tid('report-returned').click()
      await t.tid('returned-wants-work').click()
      await t.waitText(t.tid('status-card'), ['失业返乡', '想找工作'])
      await t.tid('returned-wants-work').waitFor({ state: 'hidden' })
      await settle()
      await t.shot('job-1-worker-returned.png')
    }],
    ['the matching job appears in the feed with its reasons', async () => {
      await t.tid('open-jobs').click()
      await t.tid('job-feed').waitFor({ state: 'visible' })
      const deadline = Date.now() + MATCH_WAIT
      while (Date.now() < deadline) {
        if ((await t.page.locator(`${byTestId('job-feed')} ${byTestId('job-card')}`).count()) > 0) break
        await t.page.waitForTimeout(1000)
        await t.tid('job-feed-refresh').click()
      }
      const card = t.page.locator(`${byTestId('job-feed')} ${byTestId('job-card')}`).first()
      await card.waitFor({ state: 'visible', timeout: 2000 })
      const text = await t.waitText(card, ['同县', '工种相符'])
      jobTitle = (await card.locator(byTestId('job-title')).innerText()).trim()
      if (!text.includes('元/月')) throw new Error(`card without a wage: ${text}`)
      await t.tid('my-case').waitFor({ state: 'visible' })
      await t.shot('job-2-worker-feed.png')
    }],
    ['the inbox has the recommendation with its reason and an unread badge', async () => {
      await t.page.locator(`${byTestId('page-back')}:visible`).first().click()
      await t.tid('worker-home').waitFor({ state: 'visible' })
      await t.tid('inbox-badge').waitFor({ state: 'visible' })
      await t.tid('open-inbox').click()
      await t.tid('inbox').waitFor({ state: 'visible' })
      // This job's recommendation, wherever it sits: an earlier run's messages may be newer (the
      // claim run moves the development clock ahead, and the case sweeper acts on it).
      const msg = t.page.locator(byTestId('inbox-message')).filter({ hasText: jobTitle }).first()
      await t.waitText(msg, ['为您推荐', jobTitle, '同县'])
      await t.tid('sms-consent').waitFor({ state: 'visible' })
      await t.shot('job-3-worker-inbox.png')
    }],
    ['worker opens the job and applies (报名)', async () => {
      await t.page.locator(byTestId('inbox-message')).filter({ hasText: jobTitle }).first().click()
      await t.tid('job-feed').waitFor({ state: 'visible' })
      await t.page.locator(`${byTestId('job-card')}:has-text("${jobTitle}")`).first().click()
      await t.tid('job-detail').waitFor({ state: 'visible' })
      await t.waitText(t.tid('job-detail-title'), [jobTitle])
      await t.waitText(t.tid('job-reasons'), ['同县'])
      await t.tid('job-apply').click()
      await t.waitText(t.tid('application-status'), ['已报名'])
      await settle()
      await t.shot('job-4-worker-applied.png')
    }],
    ['applying twice shows the server message', async () => {
      await t.tid('job-apply').click()
      await t.waitText(t.tid('apply-message'), ['已经报名过'])
      await t.shot('job-5-worker-applied-twice.png')
    }],
    ['employer sees the candidate (masked)', async () => {
      await t.logout()
      await t.devLogin('employer')
      await t.tid('employer-home').waitFor({ state: 'visible' })
      await t.waitText(t.tid('employer-status'), ['已认证'])
      await t.page.locator(`${byTestId('employer-job')}:has-text("${jobTitle}")`).first().click()
      await t.tid('employer-job-page').waitFor({ state: 'visible' })
      const cand = t.page.locator(byTestId('candidate')).first()
      const text = await t.waitText(cand, ['报名', '*'])
      if (!text.includes(WORKER_NAME[0])) throw new Error(`candidate is not ${WORKER_NAME}: ${text}`)
      await t.shot('job-6-employer-candidates.png')
    }],
    ['employer confirms the hire', async () => {
      await t.tid('candidate-hire-open').click()
      await t.tid('hire-date').waitFor({ state: 'visible' })
      await t.tid('hire-confirm').click()
      await t.waitText(t.tid('candidate-status'), ['已录用'])
      await t.tid('candidate-hire').waitFor({ state: 'visible' })
      await settle()
      await t.shot('job-7-employer-hired.png')
    }],
    ['worker status shows the new job (在岗)', async () => {
      await t.logout()
      await t.devLogin('worker')
      const text = await t.waitText(t.tid('status-card'), ['在岗'])
      if (!text.includes('清真食品')) throw new Error(`status card without the employer: ${text}`)
      await t.shot('job-8-worker-working.png')
      await t.tid('open-jobs').click()
      await t.waitText(t.page.locator(byTestId('my-application-status')).first(), ['已录用'])
      await t.shot('job-9-worker-application-hired.png')
    }],
    ['the case is closed as placed on the cadre board', async () => {
      await t.logout()
      await t.devLogin('cadre')
      await t.tid('open-cases').click()
      await t.tid('case-board').waitFor({ state: 'visible' })
      await t.tid('case-tab-placed').click()
      const card = t.page.locator(`${byTestId('case-card')}:has-text("${WORKER_NAME}")`).first()
      await t.waitText(card, ['已上岗', '72小时内上岗'])
      await t.shot('job-10-cadre-case-placed.png')
    }]
  ]
})
