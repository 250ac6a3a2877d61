// The collection form's fill rules (seed 002 填表规则) on the phone: which sections show for
// the answers given, and which answers are still missing. The server checks again and its
// field errors win; these checks let a cadre finish a form with no network.
import { OFFLINE_OPTIONS } from '../../generated/options'
import type { FormValues, VisitProof } from '../../types/verify'

export type SectionId =
  | 'basic'
  | 'unreachable'
  | 'work_year'
  | 'employment'
  | 'not_out'
  | 'plan_yes'
  | 'plan_no'
  | 'return'
  | 'return_detail'
  | 'training'
  | 'training_detail'
  | 'services'
  | 'service_counts'
  | 'proof'

export const SECTION_TITLES: Record<SectionId, string> = {
  basic: '基本信息',
  unreachable: '联系不上',
  work_year: '本年度务工时间和收入',
  employment: '已外出务工情况',
  not_out: '暂未外出务工情况',
  plan_yes: '外出计划',
  plan_no: '无外出意愿原因',
  return: '返乡回流情况',
  return_detail: '返乡回流原因和地点',
  training: '培训意愿',
  training_detail: '意愿培训',
  services: '就业服务政策',
  service_counts: '享受就业服务次数',
  proof: '入户核实证明'
}

/** SERVICE_ITEMS: 本年度享受就业服务项目, each with a count. */
export const SERVICE_ITEMS: Array<{ code: string; label: string }> = OFFLINE_OPTIONS.employment_services

export function emptyValues(day: Date = new Date()): FormValues {
  return {
    verification: 'verified',
    basic: {
      state: 'normal',
      state_reason: '',
      labour_capacity: '',
      skill_level: '',
      two_after: null,
      education: '',
      graduation_date: '',
      address: ''
    },
    working: null,
    work_year: { start_year: workYearStart(day), months: [], months_worked: '', income: '', flexible_days: '' },
    employment: {
      place_code: '',
      place_name: '',
      form: '',
      form_other: '',
      employer_name: '',
      start_date: '',
      wage: '',
      industry: '',
      industry_other: '',
      contract: null,
      social_insurance: null,
      assisted: null,
      assisted_month: '',
      startup_led: null,
      organised: 'none'
    },
    not_out: {
      type: '',
      lost_job_date: '',
      has_plan: null,
      no_plan_reason: '',
      no_plan_other: '',
      dest_code: '',
      dest_name: '',
      planned_month: '',
      job: '',
      expected_wage: ''
    },
    return: { returned: null, reason: '', prev_place_code: '', prev_place_name: '', return_date: '' },
    training: { wish: null, category: '', job: '', month: '' },
    services: { none: false, items: {} }
  }
}

/** reachable: the labourer was found (核实情况 is not 联系不上). */
export function reachable(v: FormValues): boolean {
  return v.verification !== 'unreachable'
}

/** asksAboutWork: the work blocks apply (the labourer was reached). */
export function asksAboutWork(v: FormValues): boolean {
  return reachable(v)
}

/**
 * visibleSections lists the sections the answers call for (填表规则 2–5): 是否务工=是 →
 * 已外出务工情况, =否 → 暂未外出务工情况; 是否有外出计划=是 → 意向地/岗位/月薪, =否 → 原因;
 * 有培训意愿 → 类别/工种/日期; services received → counts, else 未享受过.
 */
export function visibleSections(v: FormValues): Set<SectionId> {
  const out = new Set<SectionId>(['basic', 'proof'])
  if (!reachable(v)) {
    out.add('unreachable')
    return out
  }
  if (!asksAboutWork(v)) return out
  out.add('work_year')
  if (v.working === true) out.add('employment')
  // 永久退出 (死亡等) has nothing to plan: 暂未外出务工情况 is not asked.
  if (v.working === false && v.basic.state !== 'perm_exit') {
    out.add('not_out')
    if (v.not_out.has_plan === true) out.add('plan_yes')
    if (v.not_out.has_plan === false) out.add('plan_no')
  }
  out.add('return')
  if (v.return.returned === true) out.add('return_detail')
  out.add('training')
  if (v.training.wish === true) out.add('training_detail')
  out.add('services')
  if (!v.services.none) out.add('service_counts')
  return out
}

/** Month helpers: "YYYY-MM". */
function pad(n: number): string {
  return n < 10 ? `0${n}` : String(n)
}

/** workYearStart: the year whose October opens the work year containing `day`. */
export function workYearStart(day: Date = new Date()): number {
  return day.getMonth() + 1 >= 10 ? day.getFullYear() : day.getFullYear() - 1
}

/**
 * workYearMonths lists the 12 months of the work year that contains `day` (1 Oct – 30 Sep):
 * in November 2026 that is 2026-10 … 2027-09; in March 2026, 2025-10 … 2026-09.
 */
export function workYearMonths(day: Date = new Date(), start?: number): string[] {
  const startYear = start || workYearStart(day)
  const out: string[] = []
  for (let i = 0; i < 12; i++) {
    const m = 10 + i
    out.push(m <= 12 ? `${startYear}-${pad(m)}` : `${startYear + 1}-${pad(m - 12)}`)
  }
  return out
}

const NUM = /^\d+(\.\d+)?$/
const INT = /^\d+$/

type Errors = Record<string, string>

function need(errs: Errors, ok: boolean, path: string, message: string) {
  if (!ok && !(path in errs)) errs[path] = message
}

const filled = (s: string | null | undefined) => !!s && String(s).trim() !== ''
const chosen = (b: boolean | null | undefined) => b === true || b === false

/**
 * checkForm returns the missing or malformed answers as {path: Chinese message}, for the
 * sections the answers call for; answers in hidden sections are never checked (nor sent).
 */
/** ProofFacts: what the checks need to know about the proof of the visit. */
export interface ProofFacts {
  method: string
  confirm_method: string
  signature: string
  has_location: boolean
  attempts_count: number
}

/** proofFacts summarises a draft's proof for checkForm. */
export function proofFacts(p: VisitProof, attempts: number): ProofFacts {
  return { method: p.method, confirm_method: p.confirm_method, signature: p.signature, has_location: !!p.location, attempts_count: attempts }
}

export function checkForm(v: FormValues, proof?: ProofFacts | null): Errors {
  const e: Errors = {}
  const shown = visibleSections(v)
  need(e, v.verification === 'verified' || v.verification === 'unreachable', 'verification', '提交前请选择“已核实”或“联系不上”')
  if (!reachable(v)) {
    if (proof !== undefined) need(e, !!proof && proof.attempts_count > 0, 'proof.attempts', '联系不上的，请记录至少一次联系')
    return e
  }
  need(e, filled(v.basic.state), 'basic.state', '请选择当前状态')
  if (v.basic.state === 'temp_exit' || v.basic.state === 'perm_exit') need(e, filled(v.basic.state_reason), 'basic.state_reason', '请选择退出原因')
  if (asksAboutWork(v)) {
    need(e, chosen(v.working), 'working', '请选择是否务工')
    if (v.working === true && (v.basic.state === 'temp_exit' || v.basic.state === 'perm_exit')) e.working = '暂时退出或永久退出的人员，是否务工应选“否”'

    need(e, filled(v.basic.labour_capacity), 'basic.labour_capacity', '请选择劳动能力')
    need(e, filled(v.basic.skill_level), 'basic.skill_level', '请选择技能等级')
    need(e, chosen(v.basic.two_after), 'basic.two_after', '请选择是否为两后生')
    need(e, filled(v.basic.education), 'basic.education', '请选择文化程度')
    if (v.basic.two_after === true) need(e, filled(v.basic.graduation_date), 'basic.graduation_date', '两后生请填写毕业时间')
  }
  if (shown.has('work_year')) {
    const w = v.work_year
    const mw = Number(w.months_worked)
    need(e, filled(w.months_worked) && NUM.test(w.months_worked.trim()) && mw <= 12, 'work_year.months_worked', '请填写年度累计务工时间（0到12个月，可写3.5）')
    if (!('work_year.months_worked' in e) && mw > w.months.length) e['work_year.months_worked'] = '累计务工时间不能多于勾选的务工月份数'
    if (!('work_year.months_worked' in e) && mw === 0 && w.months.length > 0) e['work_year.months_worked'] = '勾选了务工月份，累计务工时间不能为0'
    need(e, filled(w.income) && INT.test(w.income.trim()), 'work_year.income', '请填写年度务工收入（元，没有填0）')
    if (filled(w.flexible_days)) need(e, INT.test(w.flexible_days.trim()) && Number(w.flexible_days) <= 366, 'work_year.flexible_days', '灵活就业天数应为0到366的整数')
  }
  if (shown.has('employment')) {
    const m = v.employment
    need(e, filled(m.place_code), 'employment.place_code', '请选择务工地点（到乡镇）')
    need(e, filled(m.form), 'employment.form', '请选择就业形式')
    if (m.form === 'other') need(e, filled(m.form_other), 'employment.form_other', '请注明其他就业形式')
    need(e, filled(m.employer_name) || m.form === 'flexible', 'employment.employer_name', '请填写就业单位名称')
    need(e, filled(m.start_date), 'employment.start_date', '请选择就业时间')
    need(e, filled(m.wage) && NUM.test(m.wage.trim()), 'employment.wage', '请填写月平均工资（元），只写数字')
    need(e, filled(m.industry), 'employment.industry', '请选择所属行业')
    if (m.industry === 'other') need(e, filled(m.industry_other), 'employment.industry_other', '请注明其他行业')
    need(e, chosen(m.contract), 'employment.contract', '请选择是否签订劳动合同')
    need(e, chosen(m.social_insurance), 'employment.social_insurance', '请选择是否缴纳社会保险')
    need(e, chosen(m.assisted), 'employment.assisted', '请选择是否经帮扶实现就业')
    if (m.assisted === true) need(e, filled(m.assisted_month), 'employment.assisted_month', '请选择帮扶时间')
    need(e, chosen(m.startup_led), 'employment.startup_led', '请选择是否返乡创业带动')
  }
  if (shown.has('not_out')) {
    const n = v.not_out
    need(e, filled(n.type), 'not_out.type', '请选择未外出务工类型')
    if (n.type === 'lost_job') need(e, filled(n.lost_job_date), 'not_out.lost_job_date', '请选择就业转失业日期')
    need(e, chosen(n.has_plan), 'not_out.has_plan', '请选择是否有外出计划')
  }
  if (shown.has('plan_yes')) {
    const n = v.not_out
    need(e, filled(n.dest_code), 'not_out.dest_code', '请选择外出务工意向地')
    need(e, filled(n.job), 'not_out.job', '请填写意向岗位（工种）')
    need(e, filled(n.expected_wage) && NUM.test(n.expected_wage.trim()), 'not_out.expected_wage', '请填写期望月薪（元），只写数字')
  }
  if (shown.has('plan_no')) {
    const n = v.not_out
    need(e, filled(n.no_plan_reason), 'not_out.no_plan_reason', '请选择无外出意愿原因')
    if (n.no_plan_reason === 'other') need(e, filled(n.no_plan_other), 'not_out.no_plan_other', '请写明其他原因')
  }
  if (shown.has('return')) need(e, chosen(v.return.returned), 'return.returned', '请选择是否返乡回流')
  if (shown.has('return_detail')) {
    need(e, filled(v.return.reason), 'return.reason', '请选择返乡回流原因')
    need(e, filled(v.return.prev_place_code), 'return.prev_place_code', '请选择返乡前务工地点')
    need(e, filled(v.return.return_date), 'return.return_date', '请选择返乡日期')
    if (v.working === false && v.not_out.type === 'never_out') e['not_out.type'] = '返乡回流人员的未外出类型应选“就业转失业”' 
  }
  if (shown.has('training_detail')) {
    need(e, filled(v.training.category), 'training.category', '请选择意愿培训类别')
    need(e, filled(v.training.job), 'training.job', '请填写意愿培训工种')
    need(e, filled(v.training.month), 'training.month', '请选择意愿培训日期')
  }
  if (shown.has('services')) {
    const counts = v.services.items || {}
    const any = SERVICE_ITEMS.some((s) => filled(counts[s.code]) && Number(counts[s.code]) > 0)
    need(e, v.services.none || any, 'services.items', '请填写享受过的就业服务次数，或选“未享受过就业服务”')
    if (!v.services.none) {
      for (const s of SERVICE_ITEMS) {
        const c = counts[s.code]
        if (filled(c)) need(e, INT.test(String(c).trim()) && Number(c) >= 1, `services.items.${s.code}`, '次数只写大于0的整数')
      }
    }
  }
  if (proof !== undefined && proof) {
    need(e, proof.method === 'visit' || proof.method === 'phone', 'proof.method', '请选择核实方式（入户或电话）')
    if (proof.method === 'visit') need(e, proof.has_location, 'proof.location', '入户核实须记录手机定位，请打开定位后重试')
    if (proof.confirm_method === 'signature') {
      need(e, proof.method !== 'phone', 'proof.confirm_method', '电话核实无法当面签字，请选“本人微信确认”')
      need(e, filled(proof.signature), 'proof.signature', '请让本人在屏幕上签名')
    } else need(e, proof.confirm_method === 'worker_account', 'proof.confirm_method', '请选择本人确认方式（签名或本人微信确认）')
  }
  return e
}

/** setPath returns a copy of v with the value at a dotted path replaced. */
export function setPath<T>(v: T, path: string, value: unknown): T {
  const keys = path.split('.')
  const root: any = Array.isArray(v) ? [...(v as any)] : { ...(v as any) }
  let cur = root
  for (let i = 0; i < keys.length - 1; i++) {
    const k = keys[i]
    const next = cur[k]
    cur[k] = next && typeof next === 'object' ? (Array.isArray(next) ? [...next] : { ...next }) : {}
    cur = cur[k]
  }
  cur[keys[keys.length - 1]] = value
  return root
}

/** getPath reads a dotted path ('' for anything missing). */
export function getPath(v: unknown, path: string): any {
  let cur: any = v
  for (const k of path.split('.')) {
    if (cur === null || cur === undefined) return undefined
    cur = cur[k]
  }
  return cur
}
