// A tiny stand-in for the Go `serve`: it serves dist/h5 and answers the few endpoints the
// worker e2e flow uses, so the e2e can be developed before the backend exists.
// Usage: node e2e/mock-server.mjs [port]   (default 18080; PORT env also works)
import http from 'node:http'
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const here = path.dirname(fileURLToPath(import.meta.url))
const DEFAULT_ROOT = path.join(here, '..', 'dist', 'h5')

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf'
}

const KIND_LABELS = {
  still_working: '在岗',
  new_job: '换了工作',
  returned: '失业返乡',
  plan_out: '想外出',
  no_plan: '暂不外出'
}

function today() {
  return new Date().toISOString().slice(0, 10)
}

function newState() {
  return {
    seq: 100,
    tokens: new Map(), // access token -> account id
    refresh: new Map(), // refresh token -> account id
    card: {
      labourer: {
        id: '9007199254740993',
        name: '马小军',
        id_masked: '6229**********1234',
        phone_masked: '138****1234',
        village_code: '622926100201',
        region_path: '甘肃省 临夏回族自治州 东乡族自治县 锁南镇 某村',
        record_status: 'active'
      },
      current: { kind: 'working', label: '在岗务工', since: '2026-03-01', self_reported: false, review: 'verified', review_label: '已核实' },
      spell: {
        id: '1', start_date: '2026-03-01', end_date: null, place_code: '440305', place_name: '广东省 深圳市 南山区',
        place_scope: 'out_province', place_scope_label: '省外', form: 'employed', form_label: '单位就业',
        employer_name: '深圳某电子厂', monthly_wage: 4500, industry: 'general_worker', industry_label: '普工',
        contract: true, social_insurance: false, source: 'cadre', verified: true
      },
      last_return: null,
      plan: null,
      history: []
    }
  }
}

const ACCOUNTS = [
  { id: '1', role: 'worker', role_label: '务工人员', name: '马小军（演示）' },
  { id: '2', role: 'cadre', role_label: '村干部', name: '马书记（演示）' },
  { id: '3', role: 'taskforce', role_label: '县专班', name: '王专班（演示）' },
  { id: '4', role: 'admin', role_label: '系统管理员', name: '管理员（演示）' },
  { id: '5', role: 'worker', role_label: '务工人员', name: '新用户（演示）' }
]

const REGIONS = {
  '': [{ code: '44', name: '广东省', level: 'province' }, { code: '62', name: '甘肃省', level: 'province' }],
  44: [{ code: '4403', name: '深圳市', level: 'city' }],
  4403: [{ code: '440305', name: '南山区', level: 'county' }],
  62: [{ code: '6229', name: '临夏回族自治州', level: 'city' }],
  6229: [{ code: '622926', name: '东乡族自治县', level: 'county' }],
  622926: [{ code: '622926100', name: '锁南镇', level: 'town' }],
  622926100: [{ code: '622926100201', name: '达板村', level: 'village' }]
}

const OPTIONS = {
  employment_forms: [
    { code: 'employed', label: '单位就业' },
    { code: 'flexible', label: '灵活就业' },
    { code: 'self_employed', label: '自主创业' },
    { code: 'other', label: '其他' }
  ],
  industries: [
    { code: 'general_worker', label: '普工' },
    { code: 'construction', label: '建筑' },
    { code: 'catering', label: '餐饮' },
    { code: 'other', label: '其他' }
  ],
  no_plan_reasons: [
    { code: 'family_care', label: '照顾老人孩子' },
    { code: 'ill', label: '身体不好' },
    { code: 'farming', label: '在家务农' },
    { code: 'local_job', label: '在本地打零工' },
    { code: 'other', label: '其他' }
  ],
  return_reasons: [{ code: 'personal', label: '个人原因' }]
}

const LABOURERS = [
  { id: '9007199254740993', name: '马小军', id_masked: '6229**********1234', phone_masked: '138****1234', village_code: '622926100201', village_name: '达板村', record_status: 'active', status_label: '在岗务工', category_label: '脱贫人口' },
  { id: '9007199254740995', name: '马大海', id_masked: '6229**********5678', phone_masked: '139****5678', village_code: '622926100201', village_name: '达板村', record_status: 'pending', status_label: '失业返乡，想找工作', category_label: '监测对象' }
]

const BINDING = new Map([['5', 'none']])

function meFor(id) {
  const a = ACCOUNTS.find((x) => x.id === id) || ACCOUNTS[0]
  return {
    id: a.id,
    role: a.role,
    role_label: a.role_label,
    name: a.name,
    phone_masked: '138****1234',
    binding_status: a.role === 'worker' ? BINDING.get(a.id) || 'bound' : 'none',
    labourer_id: a.role === 'worker' ? '9007199254740993' : null,
    scopes: a.role === 'worker' ? [] : [{ code: '622926', name: '东乡族自治县' }]
  }
}

function send(res, status, body) {
  if (status === 204) {
    res.writeHead(204)
    res.end()
    return
  }
  const data = JSON.stringify(body)
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(data) })
  res.end(data)
}

function fail(res, status, code, message, fields) {
  send(res, status, { error: fields ? { code, message, fields } : { code, message } })
}

function readBody(req) {
  return new Promise((resolve) => {
    const chunks = []
    req.on('data', (c) => chunks.push(c))
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8')
      try {
        resolve(raw ? JSON.parse(raw) : {})
      } catch {
        resolve(null)
      }
    })
  })
}

function issue(state, accountId) {
  const access = `a${++state.seq}`
  const refresh = `r${++state.seq}`
  state.tokens.set(access, accountId)
  state.refresh.set(refresh, accountId)
  return { access_token: access, refresh_token: refresh, expires_in: 900, me: meFor(accountId) }
}

function applyReport(state, body) {
  const card = state.card
  const kind = body.kind
  const since = today()
  if (kind === 'returned') {
    card.current = {
      kind: 'returned',
      label: body.wants_work ? '失业返乡，想找工作' : '失业返乡，暂时不找工作',
      since: body.return_date || since,
      self_reported: true,
      review: 'pending',
      review_label: '待核实'
    }
    card.last_return = {
      return_date: body.return_date || since, reason: body.reason || '', reason_label: '',
      wants_work: !!body.wants_work, prev_place_name: card.spell ? card.spell.place_name : ''
    }
    card.spell = null
  } else if (kind === 'still_working') {
    card.current = { ...card.current, kind: 'working', label: '在岗务工', self_reported: true, review: 'pending', review_label: '待核实' }
  } else if (kind in KIND_LABELS) {
    card.current = { kind: kind === 'new_job' ? 'working' : kind, label: KIND_LABELS[kind], since, self_reported: true, review: 'pending', review_label: '待核实' }
  } else {
    return false
  }
  card.history.unshift({
    id: String(++state.seq), kind, kind_label: KIND_LABELS[kind], source: 'self', review: 'pending',
    review_label: '待核实', created_at: new Date().toISOString(), summary: card.current.label
  })
  return true
}

async function api(state, req, res, url) {
  const p = url.pathname
  const m = req.method
  if (m === 'GET' && p === '/api/v1/auth/dev/accounts') return send(res, 200, { accounts: ACCOUNTS })
  if (m === 'POST' && p === '/api/v1/auth/dev/login') {
    const body = await readBody(req)
    if (!body || !ACCOUNTS.some((a) => a.id === body.account_id)) return fail(res, 400, 'validation_failed', '账号不存在')
    return send(res, 200, issue(state, body.account_id))
  }
  if (m === 'POST' && p === '/api/v1/auth/refresh') {
    const body = await readBody(req)
    const id = body && state.refresh.get(body.refresh_token)
    if (!id) return fail(res, 401, 'unauthenticated', '请重新登录')
    state.refresh.delete(body.refresh_token)
    return send(res, 200, issue(state, id))
  }
  const auth = req.headers.authorization || ''
  const accountId = state.tokens.get(auth.replace(/^Bearer\s+/i, ''))
  if (!accountId) return fail(res, 401, 'unauthenticated', '请重新登录')
  if (m === 'POST' && p === '/api/v1/auth/logout') return send(res, 204)
  if (m === 'GET' && p === '/api/v1/me') return send(res, 200, meFor(accountId))
  if (m === 'GET' && p === '/api/v1/me/status') return send(res, 200, state.card)
  if (m === 'POST' && p === '/api/v1/me/reports') {
    const body = await readBody(req)
    if (!body || !applyReport(state, body)) {
      return fail(res, 400, 'validation_failed', '填写有误，请检查标红的项目', [{ field: 'kind', code: 'invalid', message: '请选择情况' }])
    }
    return send(res, 201, state.card)
  }
  if (m === 'GET' && p === '/api/v1/options') return send(res, 200, OPTIONS)
  if (m === 'GET' && p === '/api/v1/regions') {
    return send(res, 200, { items: REGIONS[url.searchParams.get('parent') || ''] || [] })
  }
  if (m === 'POST' && p === '/api/v1/me/bind') {
    const body = (await readBody(req)) || {}
    if (!body.village_code) {
      return fail(res, 400, 'validation_failed', '填写有误，请检查标红的项目', [
        { field: 'village_code', code: 'required', message: '没有找到你的户籍村，请选一下' }
      ])
    }
    BINDING.set(accountId, 'pending')
    return send(res, 200, { status: 'pending', me: meFor(accountId) })
  }
  if (m === 'GET' && p === '/api/v1/labourers') {
    return send(res, 200, { items: LABOURERS, total: LABOURERS.length, page: 1, page_size: 20 })
  }
  const lab = /^\/api\/v1\/labourers\/(\d+)(\/status|\/approve)?$/.exec(p)
  if (lab) {
    const l = LABOURERS.find((x) => x.id === lab[1])
    if (!l) return fail(res, 404, 'not_found', '没有找到')
    if (m === 'POST' && lab[2] === '/approve') l.record_status = 'active'
    if (lab[2] === '/status') return send(res, 200, { ...state.card, labourer: { ...state.card.labourer, id: l.id, name: l.name, record_status: l.record_status } })
    return send(res, 200, { ...l, gender_label: '男', birth_date: '1971-05-02', education_label: '初中', labour_capacity_label: '普通劳动力' })
  }
  if (m === 'GET' && p === '/api/v1/admin/accounts') {
    return send(res, 200, { items: ACCOUNTS.map((a) => ({ id: a.id, role: a.role, role_label: a.role_label, username: `demo${a.id}`, name: a.name, scopes: meFor(a.id).scopes, locked: false })) })
  }
  return fail(res, 404, 'not_found', '没有找到')
}

function serveStatic(root, req, res, url) {
  let rel = decodeURIComponent(url.pathname)
  if (rel === '/' || rel === '') rel = '/index.html'
  const file = path.normalize(path.join(root, rel))
  if (!file.startsWith(root)) {
    res.writeHead(403)
    return res.end()
  }
  fs.readFile(file, (err, data) => {
    if (err) {
      // Hash routing: unknown paths get the app shell.
      fs.readFile(path.join(root, 'index.html'), (err2, html) => {
        if (err2) {
          res.writeHead(404)
          return res.end('dist/h5 not built')
        }
        res.writeHead(200, { 'Content-Type': TYPES['.html'] })
        res.end(html)
      })
      return
    }
    res.writeHead(200, { 'Content-Type': TYPES[path.extname(file)] || 'application/octet-stream' })
    res.end(data)
  })
}

/** startMockServer listens on 127.0.0.1:port (0 = any free port) and resolves with {server, url}. */
export function startMockServer({ port = 18080, root = DEFAULT_ROOT } = {}) {
  const state = newState()
  const absRoot = path.resolve(root)
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://localhost')
    if (url.pathname.startsWith('/api/')) {
      api(state, req, res, url).catch((e) => fail(res, 500, 'internal', String(e)))
      return
    }
    serveStatic(absRoot, req, res, url)
  })
  return new Promise((resolve) => {
    server.listen(port, '127.0.0.1', () => {
      const addr = server.address()
      resolve({ server, url: `http://127.0.0.1:${addr.port}` })
    })
  })
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const port = Number(process.argv[2] || process.env.PORT || 18080)
  startMockServer({ port }).then(({ url }) => console.log(`mock server on ${url}`))
}
