// E2E (issue 3): a worker reports 失业返乡 (making a returnee); the demo cadre opens that
// returnee's form from the task list, fills it, loses the network (every /api/ request is
// aborted), submits (待上传), reloads, finds the draft, gets the network back and submits
// (已提交); the task force confirms it in the review queue; the labourer's status and the six
// lists show the change. Env and output: see lib.mjs.
import { run, TIMEOUT } from './lib.mjs'

// 东乡族自治县 锁南镇, where the demo villages are.
const GEO = { latitude: 35.6636, longitude: 103.3894, accuracy: 25 }
const WORKER_NAME = '马小军'

let blocked = false

await run('cadre-verify', (t) => {
  let labourerId = ''
  const block = async () => {
    await t.page.route('**/api/**', (r) => r.abort())
    blocked = true
  }
  const unblock = async () => {
    await t.page.unroute('**/api/**')
    blocked = false
  }
  return [
    ['the worker reports 失业返乡 (a new returnee)', async () => {
      await t.go('/')
      await t.devLogin('worker')
      await t.tid('report-returned').waitFor({ state: 'visible' })
      await t.tid('report-returned').click()
      await t.tid('returned-wants-work').click()
      await t.waitText(t.tid('status-card'), ['失业返乡'])
    }],
    ['the cadre logs in and opens the month\'s tasks', async () => {
      await t.logout()
      await t.devLogin('cadre')
      await t.tid('open-tasks').click()
      await t.tid('cadre-tasks').waitFor({ state: 'visible' })
    }],
    ['the returnee is in the task list (新返乡 or 自报待核实)', async () => {
      for (const tab of ['new_returnees', 'self_reports', 'due']) {
        await t.tid(`tab-${tab}`).click()
        await t.page.waitForTimeout(800)
        const card = t.page.locator('[data-testid^="task-"]').filter({ hasText: WORKER_NAME }).first()
        if (await card.count()) {
          const id = (await card.getAttribute('data-testid')).replace(/^task-/, '')
          labourerId = id
          break
        }
      }
      if (!labourerId) throw new Error(`${WORKER_NAME} is in no tab`)
      await t.shot('cadre-tasks.png')
    }],
    ['open the returnee\'s form: prefilled from the ledger', async () => {
      await t.tid(`task-open-${labourerId}`).click()
      await t.tid('verify-form').waitFor({ state: 'visible' })
      await t.waitText(t.tid('form-name'), [WORKER_NAME])
      await t.tid('sec-basic').waitFor({ state: 'visible' })
      await t.shot('cadre-form-prefilled.png')
    }],
    ['是否务工 swaps 已外出 and 暂未外出 both ways; 外出计划 swaps 意向地 and 原因', async () => {
      await t.tid('working-yes').click()
      await t.tid('sec-employment').waitFor({ state: 'visible' })
      if (await t.tid('sec-not_out').count()) throw new Error('暂未外出务工情况 still shown')
      await t.tid('working-no').click()
      await t.tid('sec-not_out').waitFor({ state: 'visible' })
      if (await t.tid('sec-employment').count()) throw new Error('已外出务工情况 still shown')
      await t.tid('not_out-type-lost_job').click()
      await t.tid('not_out-has_plan-no').click()
      await t.tid('sec-plan_no').waitFor({ state: 'visible' })
      await t.tid('not_out-has_plan-yes').click()
      await t.tid('sec-plan_yes').waitFor({ state: 'visible' })
      if (await t.tid('sec-plan_no').count()) throw new Error('无外出意愿原因 still shown')
    }],
    ['fill the plan, the return, services', async () => {
      await t.tid('in-not_out-dest_code').click()
      await t.tid('region-32').click()
      await t.tid('region-3205').click()
      await t.fill('in-not_out-job', '普工')
      await t.fill('in-not_out-expected_wage', '5000')
      await t.tid('return-returned-yes').click()
      await t.tid('sec-return_detail').waitFor({ state: 'visible' })
      await t.tid('return-reason-personal').click()
      await t.tid('in-return-prev_place_code').click()
      await t.tid('region-32').click()
      await t.tid('region-3205').click()
      await t.tid('region-320583').click()
      await t.page.waitForTimeout(600)
      const here = t.tid('region-pick-here')
      if (await here.isVisible().catch(() => false)) {
        // Towns exist: pick the first one (务工地点 down to the town).
        const town = t.page.locator('[data-testid^="region-320583"]').first()
        if (await town.count()) await town.click()
        else await here.click()
      }
      await t.tid('services-none').click()
    }],
    ['location recorded and the labourer signs on the screen', async () => {
      await t.waitText(t.tid('form-location'), ['35.66'])
      const canvas = t.tid('signature-canvas')
      await canvas.scrollIntoViewIfNeeded()
      const box = await canvas.boundingBox()
      await t.page.mouse.move(box.x + 30, box.y + 60)
      await t.page.mouse.down()
      for (let i = 1; i <= 12; i++) await t.page.mouse.move(box.x + 30 + i * 18, box.y + 60 + Math.sin(i) * 30, { steps: 2 })
      await t.page.mouse.up()
      await t.page.waitForTimeout(200)
      const saved = await t.page.evaluate(() => Object.entries(localStorage).filter(([k]) => k.startsWith('jyb.drafts.')).map(([, v]) => v).join(''))
      if (!saved.includes('data:image/png;base64,')) throw new Error('signature not in the saved draft')
      await t.shot('cadre-form-filled.png')
    }],
    ['network lost: submit keeps the form as 待上传', async () => {
      await block()
      await t.tid('form-submit').click()
      await t.waitText(t.tid('form-sync'), ['待上传'])
      await t.shot('cadre-form-offline.png')
    }],
    ['reload with no network: the draft is still there, 待上传', async () => {
      await t.go(`/cadre/tasks/index`)
      await t.page.reload({ waitUntil: 'domcontentloaded' })
      await t.tid(`draft-${labourerId}`).waitFor({ state: 'visible' })
      await t.waitText(t.tid(`draft-sync-${labourerId}`), ['待上传'])
      await t.shot('cadre-drafts-after-reload.png')
      await t.tid(`draft-${labourerId}`).click()
      await t.waitText(t.tid('form-sync'), ['待上传'])
      await t.waitText(t.tid('form-name'), [WORKER_NAME])
    }],
    ['network back: submit goes through (已提交)', async () => {
      await unblock()
      await t.tid('form-submit').click().catch(() => undefined) // the automatic retry may win the race
      await t.waitText(t.tid('form-sync'), ['已提交'], TIMEOUT * 2)
      await t.tid('form-submitted').waitFor({ state: 'visible' })
      await t.page.waitForTimeout(1600)
      await t.shot('cadre-form-submitted.png')
    }],
    ['the task force confirms it in the review queue', async () => {
      await t.logout()
      await t.devLogin('taskforce')
      await t.tid('open-review').click()
      await t.tid(`review-item-form-${labourerId}`).waitFor({ state: 'visible' })
      await t.tid(`review-open-form-${labourerId}`).click()
      await t.page.locator('[data-testid^="form-detail-"]').first().waitFor({ state: 'visible' })
      await t.shot('taskforce-review.png')
      await t.tid(`review-confirm-form-${labourerId}`).click()
      await t.waitText(t.tid('review-notice'), ['已确认 1 份'])
      await t.page.waitForTimeout(300)
      if (await t.tid(`review-item-form-${labourerId}`).count()) throw new Error('the form is still in the queue')
      await t.shot('taskforce-confirmed.png')
    }],
    ['the labourer\'s status shows the confirmed form (想外出 → 苏州, 普工, 5000)', async () => {
      await t.go(`/office/labourer/index?id=${labourerId}`)
      await t.waitText(t.tid('status-card'), ['想外出', '苏州', '普工', '5000'])
      await t.shot('labourer-after-confirm.png')
    }],
    ['the six lists count him (今年返乡回流 / 有意愿外出)', async () => {
      await t.go(`/office/lists/index`)
      await t.tid('count-returned').waitFor({ state: 'visible' })
      let found = ''
      for (const list of ['returned', 'willing']) {
        await t.tid(`list-${list}`).click()
        await t.page.waitForTimeout(1000)
        if (await t.tid(`person-${labourerId}`).count()) {
          found = list
          break
        }
      }
      await t.shot('six-lists.png')
      if (!found) throw new Error('not on 今年返乡回流 nor 有意愿外出')
      const n = Number(await t.tid(`count-${found}`).innerText())
      if (!(n >= 1)) throw new Error(`count-${found} is ${n}`)
    }]
  ]
}, {
  context: { geolocation: GEO, permissions: ['geolocation'] },
  cleanup: async (t) => {
    if (blocked) await t.page.unroute('**/api/**')
  }
})
