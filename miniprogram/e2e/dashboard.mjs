// E2E (issue 6): the dashboard in the H5 app, on a synthetic population (scripts/e2e.sh makes
// one with `seed synthetic` and serves it on a second port). Targets are set through the API as
// the demo task force (its county) and an admin (the demo official's 州); then the official
// opens the dashboard from the office home and every figure the page shows — the headline
// numbers, each child region's bar, both tables' totals and rows, each month of the trend and
// the targets' gaps — is checked against what the API answers for the same region and year.
// Tapping a county's bar drills down into it and the check runs again there; a region outside
// the official's scope is refused (403) and the page says so in Chinese; the province table's
// Excel export downloads; the county task force lands on its own county's dashboard and sets a
// target there through the form (a bad number is refused first). Full-page
// screenshots at desktop width (1280) and phone width (390) are kept in ARTIFACT_DIR.
// Env and output: see lib.mjs. DASH_COUNTY: the county to drill into (default 东乡族自治县).
import { DESKTOP, PHONE, byTestId, run, tokenFor, api } from './lib.mjs'

const COUNTY = process.env.DASH_COUNTY || '622926'
const OUTSIDE = '6201' // 兰州市: outside the demo official's 临夏州

/** fmtInt is the page's own thousands grouping (utils/dashboard.ts). */
const fmtInt = (n) => String(Math.round(n)).replace(/\B(?=(\d{3})+(?!\d))/g, ',')
const fmtPct = (r) => `${(Math.round(r * 1000) / 10).toFixed(1)}%`
const showDate = (s) => {
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(s)
  return m ? `${m[1]}年${Number(m[2])}月${Number(m[3])}日` : s
}

function same(what, shown, want) {
  if (String(shown).trim() !== String(want)) throw new Error(`${what}: the page shows ${JSON.stringify(String(shown).trim())}, the API says ${JSON.stringify(String(want))}`)
}

await run('dashboard', (t) => {
  const q = (region, year) => `?region=${encodeURIComponent(region || '')}${year ? `&year=${year}` : ''}`
  let home = '' // the official's own region, as the API resolves it
  let checked = 0

  /** readAPI fetches what the dashboard shows, with the app's own token. */
  async function readAPI(region, year) {
    const out = {}
    for (const [k, p] of [['provinces', 'provinces'], ['regions', 'regions'], ['targets', 'targets'], ['trend', 'trend']]) {
      const r = await t.api('GET', `/api/v1/reports/${p}${q(region, year)}`)
      if (r.status !== 200) throw new Error(`GET /reports/${p}: HTTP ${r.status} ${JSON.stringify(r.body)}`)
      out[k] = r.body
    }
    return out
  }

  /** waitReady waits until the dashboard shows region (loaded, not loading). */
  async function waitReady(region) {
    const sel = `${byTestId('dashboard-body')}[data-ready="1"]${region !== undefined ? `[data-region="${region}"]` : ''}`
    await t.page.locator(sel).first().waitFor({ state: 'visible' })
    return t.page.locator(sel).first().getAttribute('data-region')
  }

  const text = async (id) => (await t.tid(id).innerText()).trim()

  /** checkFigures compares every figure on the page with the API's answer for the same scope. */
  async function checkFigures(region) {
    const d = await readAPI(region)
    const p = d.provinces
    const n0 = checked
    const eq = async (id, want) => {
      same(id, await text(id), want)
      checked++
    }
    await t.waitText(t.tid('dashboard-region'), [p.region.name], 'region header')
    await t.waitText(t.tid('dashboard-data-date'), [`数据截至 ${showDate(p.data_date)}`], 'data date')
    await t.waitText(t.tid('dashboard-period'), [`${p.year}年度`], 'work year')
    await eq('kpi-this-year', fmtInt(p.total.this_year))
    await eq('kpi-last-year', fmtInt(p.total.last_year))
    await eq('kpi-out-province', fmtInt(p.total.out_province))
    await eq('kpi-in-province', fmtInt(p.total.in_province))
    await eq('kpi-in-county', fmtInt(p.total.in_county))
    await eq('kpi-willing', fmtInt(p.total.willing_not_out))
    await eq('kpi-not-working', fmtInt(d.regions.total.not_working))
    // The bars, one per child region.
    const bars = await t.page.locator(`${byTestId('region-bars')} [data-testid^="bar-total-"]`).count()
    if (bars !== p.items.length) throw new Error(`${bars} bars for ${p.items.length} child regions`)
    for (const r of p.items) await eq(`bar-total-${r.code}`, fmtInt(r.this_year))
    // Both tables: the region itself first (the sum of the rows), then every row.
    for (const c of ['last_year', 'this_year', 'out_province', 'in_province', 'in_county', 'point_to_point', 'willing_not_out']) {
      await eq(`province-table-total-${c}`, fmtInt(p.total[c]))
      for (const r of p.items) await eq(`province-table-${r.code}-${c}`, fmtInt(r[c]))
    }
    await eq('province-table-total-ratio', fmtPct(p.total.ratio))
    for (const c of ['last_year', 'not_working', 'zero_households', 'zero_persons', 'reduced_households', 'reduced_last_persons',
      'reduced_this_persons', 'planned']) {
      await eq(`region-table-total-${c}`, fmtInt(d.regions.total[c]))
      for (const r of d.regions.items) await eq(`region-table-${r.code}-${c}`, fmtInt(r[c]))
    }
    // The trend, month by month; the month in progress is the table's own figure.
    const months = d.trend.months
    if (months.length !== 12) throw new Error(`${months.length} months in the trend`)
    for (const m of months) {
      await eq(`trend-this-${m.month}`, m.this_year ? fmtInt(m.this_year.total) : '—')
      await eq(`trend-last-${m.month}`, fmtInt(m.last_year.total))
    }
    const cur = months.filter((m) => m.reached).pop()
    if (!cur || cur.this_year.total !== p.total.this_year) throw new Error(`the trend's last month ${JSON.stringify(cur)} is not the table's ${p.total.this_year}`)
    await eq('trend-sel-this', fmtInt(cur.this_year.total))
    // Targets: the current figure and the gap in words.
    for (const g of d.targets.items) {
      const id = `${g.metric}-${g.region_code}`
      await eq(`target-current-${id}`, fmtInt(g.current))
      const gap = await text(`target-gap-${id}`)
      if (g.met ? !gap.startsWith('已完成') : gap !== `还差 ${fmtInt(g.gap)} 人`) throw new Error(`target ${id}: "${gap}" for ${JSON.stringify(g)}`)
      checked++
    }
    if (!d.targets.items.length) await t.tid('targets-empty').waitFor({ state: 'visible' })
    return { d, count: checked - n0 }
  }

  /**
   * fullShot takes the whole page at a width: Taro's H5 page scrolls inside its own container,
   * so the window is made as tall as the page first (the root font size follows the width
   * alone, see src/index.html, so nothing reflows).
   */
  async function fullShot(file, size) {
    await t.page.setViewportSize(size)
    await t.page.waitForTimeout(300)
    const h = await t.page.evaluate(() => {
      const els = [...document.querySelectorAll('[data-testid="dashboard"]')].filter((e) => e.offsetParent !== null)
      const el = els[els.length - 1]
      if (!el) return 0
      for (let p = el.parentElement; p; p = p.parentElement) p.scrollTop = 0 // from the top
      return Math.ceil(el.getBoundingClientRect().top + el.scrollHeight + 24)
    })
    await t.page.setViewportSize({ width: size.width, height: Math.max(size.height, h) })
    await t.page.waitForTimeout(300)
    await t.shot(file)
    await t.page.setViewportSize(size)
  }

  async function shots(name) {
    await fullShot(`${name}-desktop.png`, DESKTOP)
    await fullShot(`${name}-phone.png`, PHONE)
  }

  return [
    ['set-up: targets for the county (task force) and the 州 (admin)', async () => {
      const tf = await tokenFor('taskforce')
      const ad = await tokenFor('admin')
      const cur = await api('GET', `/api/v1/reports/provinces?region=${COUNTY}`, null, tf)
      if (cur.status !== 200) throw new Error(`county table: HTTP ${cur.status}`)
      const y = cur.body.year
      const now = cur.body.total
      if (now.this_year < 20) throw new Error(`only ${now.this_year} out-workers in ${COUNTY}: the population is too thin to show`)
      const set = async (token, body) => {
        const r = await api('PUT', '/api/v1/reports/targets', { year: y, ...body }, token)
        if (r.status !== 200) throw new Error(`set target ${JSON.stringify(body)}: HTTP ${r.status} ${JSON.stringify(r.body)}`)
      }
      // seed 002 二's kind of goal: 总量超过 (not met yet) and 省外不少于 (met).
      await set(tf, { region: COUNTY, metric: 'total_out', comparator: 'gt', value: Math.round(now.last_year * 1.05), note: '一超过：总量超过去年' })
      await set(tf, { region: COUNTY, metric: 'out_province', comparator: 'ge', value: Math.max(0, now.out_province - 3), note: '两不少于：省外' })
      const city = await api('GET', `/api/v1/reports/provinces?region=${COUNTY.slice(0, 4)}`, null, ad)
      await set(ad, { region: COUNTY.slice(0, 4), metric: 'total_out', comparator: 'gt', value: city.body.total.last_year })
    }],
    ['the official opens the dashboard from the office home', async () => {
      await t.page.setViewportSize(PHONE)
      await t.go('/')
      await t.devLogin('official')
      await t.tid('open-dashboard').waitFor({ state: 'visible' })
      await t.shot('dashboard-0-office-home.png')
      await t.tid('open-dashboard').click()
      home = await waitReady()
      if (!home) throw new Error('the dashboard opened without a region')
    }],
    ['every figure on the official\'s dashboard equals the API\'s', async () => {
      const { d, count } = await checkFigures(home)
      if (!d.provinces.items.length || d.provinces.total.this_year === 0) throw new Error(`nothing to show for ${home}`)
      if (d.targets.items.length < 2) throw new Error(`targets: ${JSON.stringify(d.targets.items)}`)
      t.note(`${home}: ${count} figures checked against the API`)
      await shots('dashboard-1-official')
    }],
    ['tapping a county\'s bar drills down into it', async () => {
      await t.tid(`bar-${COUNTY}`).scrollIntoViewIfNeeded()
      await t.tid(`bar-${COUNTY}`).click()
      await waitReady(COUNTY)
      await t.tid(`crumb-${COUNTY}`).waitFor({ state: 'visible' })
      await t.tid(`crumb-${home}`).waitFor({ state: 'visible' })
      const { d, count } = await checkFigures(COUNTY)
      t.note(`${COUNTY} (${d.provinces.region.name}): ${count} figures checked against the API`)
      await t.tid('trend-chart').scrollIntoViewIfNeeded()
      await shots('dashboard-2-county')
    }],
    ['a month of the trend shows its figures when tapped', async () => {
      const d = await readAPI(COUNTY)
      const last = d.trend.months[0]
      await t.tid(`trend-month-${last.month}`).click()
      await t.waitText(t.tid('trend-caption'), [`去年同期`, fmtInt(last.last_year.total)], 'trend caption')
      same('trend-sel-last', await text('trend-sel-last'), fmtInt(last.last_year.total))
    }],
    ['the crumb goes back up to the official\'s region', async () => {
      await t.tid(`crumb-${home}`).click()
      await waitReady(home)
    }],
    ['the province table downloads as Excel', async () => {
      const [dl] = await Promise.all([t.page.waitForEvent('download'), t.tid('export-province').click()])
      const name = dl.suggestedFilename()
      if (!name.endsWith('.xlsx') || !name.includes('外出务工')) throw new Error(`downloaded ${name}`)
      t.note(`downloaded ${name}`)
    }],
    ['a region outside the official\'s scope is refused, in Chinese; one tap goes back to his own', async () => {
      const r = await t.api('GET', `/api/v1/reports/trend?region=${OUTSIDE}`)
      if (r.status !== 403 || r.body.error.code !== 'forbidden') throw new Error(`outside the scope: HTTP ${r.status} ${JSON.stringify(r.body)}`)
      const bad = await t.api('GET', '/api/v1/reports/trend?year=abc')
      if (bad.status !== 400 || bad.body.error.fields[0].field !== 'year') throw new Error(`bad year: HTTP ${bad.status} ${JSON.stringify(bad.body)}`)
      await t.go(`/office/dashboard/index?region=${OUTSIDE}`)
      await t.waitText(t.page.locator(`${byTestId('error-banner')}:visible`).first(), ['管辖范围'], 'error banner')
      await t.tid('dashboard-retry').waitFor({ state: 'visible' })
      await fullShot('dashboard-3-outside-scope-phone.png', PHONE)
      await t.tid('dashboard-home').click()
      await t.page.locator(`${byTestId('dashboard-body')}[data-ready="1"]`).waitFor({ state: 'visible' })
      const back = await t.tid('dashboard-body').getAttribute('data-region')
      if (back === OUTSIDE) throw new Error('still on the region outside the scope')
    }],
    ['the county task force lands on its own county', async () => {
      await t.logout()
      await t.devLogin('taskforce')
      await t.tid('open-dashboard').waitFor({ state: 'visible' })
      await t.tid('open-dashboard').click()
      const r = await waitReady()
      if (r !== COUNTY) throw new Error(`the task force's dashboard shows ${r}, not ${COUNTY}`)
      const { count } = await checkFigures(COUNTY)
      t.note(`task force, ${COUNTY}: ${count} figures checked against the API`)
    }],
    ['the task force sets a 县内 target on the dashboard and sees its gap', async () => {
      const before = (await readAPI(COUNTY)).provinces.total.in_county
      await t.tid('target-open').click()
      await t.tid('target-metric-in_county').click()
      await t.tid('target-comparator-ge').click()
      await t.fill('target-value', '-3')
      await t.tid('target-save').click()
      await t.waitText(t.tid('error-value'), ['目标人数'], 'a bad number is refused before sending')
      const want = before + 25
      await t.fill('target-value', String(want))
      await t.fill('target-note', '县内就近就业（演示）')
      await t.tid('target-save').click()
      const id = `in_county-${COUNTY}`
      await t.tid(`target-gap-${id}`).waitFor({ state: 'visible' })
      await waitReady(COUNTY)
      const g = (await readAPI(COUNTY)).targets.items.find((x) => x.metric === 'in_county' && x.region_code === COUNTY)
      if (!g || g.value !== want || g.comparator !== 'ge') throw new Error(`saved target: ${JSON.stringify(g)}`)
      same(`target-gap-${id}`, await text(`target-gap-${id}`), `还差 ${fmtInt(g.gap)} 人`)
      if (g.gap !== 25) throw new Error(`gap ${g.gap}, want 25`)
      await checkFigures(COUNTY)
      await shots('dashboard-4-taskforce')
    }]
  ]
})
