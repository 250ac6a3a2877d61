// Comparing the cadre's draft with the ledger's values after a 409 ledger_changed, and
// merging the two field by field as the cadre picks.
import type { FormValues } from '../../types/verify'
import { getPath, setPath, SERVICE_ITEMS } from './rules'
import { optionLabel } from './options'

/** FIELDS: every leaf of FormValues with its label and how to show its value. */
export const FIELDS: Array<{ path: string; label: string; group?: string; kind?: 'bool' | 'months' | 'text' | 'yuan' | 'bool_have' }> = [
  { path: 'verification', label: '核实情况', group: 'verifications' },
  { path: 'basic.state', label: '当前状态', group: 'labourer_states' },
  { path: 'basic.state_reason', label: '退出原因' },
  { path: 'working', label: '是否务工', kind: 'bool' },
  { path: 'basic.labour_capacity', label: '劳动能力', group: 'labour_capacities' },
  { path: 'basic.skill_level', label: '技能等级', group: 'skill_levels' },
  { path: 'basic.two_after', label: '是否为两后生', kind: 'bool' },
  { path: 'basic.education', label: '文化程度', group: 'educations' },
  { path: 'basic.graduation_date', label: '毕业时间' },
  { path: 'basic.address', label: '家庭地址' },
  { path: 'work_year.months', label: '具体务工时间', kind: 'months' },
  { path: 'work_year.income', label: '年度务工收入', kind: 'yuan' },
  { path: 'work_year.flexible_days', label: '灵活就业天数' },
  { path: 'employment.place_name', label: '务工地点' },
  { path: 'employment.form', label: '就业形式', group: 'employment_forms' },
  { path: 'employment.form_other', label: '其他就业形式' },
  { path: 'employment.employer_name', label: '就业单位名称' },
  { path: 'employment.start_date', label: '就业时间' },
  { path: 'employment.wage', label: '月平均工资', kind: 'yuan' },
  { path: 'employment.industry', label: '所属行业', group: 'industries' },
  { path: 'employment.industry_other', label: '其他行业' },
  { path: 'employment.contract', label: '是否签订劳动合同', kind: 'bool' },
  { path: 'employment.social_insurance', label: '是否缴纳社会保险', kind: 'bool' },
  { path: 'employment.assisted', label: '经帮扶实现就业', kind: 'bool' },
  { path: 'employment.assisted_month', label: '帮扶时间' },
  { path: 'employment.startup_led', label: '是否返乡创业带动', kind: 'bool' },
  { path: 'employment.organised', label: '有组织劳务输出', group: 'organised_outputs' },
  { path: 'not_out.type', label: '未外出务工类型', group: 'not_out_types' },
  { path: 'not_out.lost_job_date', label: '就业转失业日期' },
  { path: 'not_out.has_plan', label: '是否有外出计划', kind: 'bool' },
  { path: 'not_out.no_plan_reason', label: '无外出意愿原因', group: 'no_plan_reasons' },
  { path: 'not_out.no_plan_other', label: '其他原因' },
  { path: 'not_out.dest_name', label: '外出务工意向地' },
  { path: 'not_out.planned_month', label: '计划外出时间' },
  { path: 'not_out.job', label: '意向岗位（工种）' },
  { path: 'not_out.expected_wage', label: '期望月薪', kind: 'yuan' },
  { path: 'return.returned', label: '是否返乡回流', kind: 'bool' },
  { path: 'return.reason', label: '返乡回流原因', group: 'return_reasons' },
  { path: 'return.prev_place_name', label: '返乡前务工地点' },
  { path: 'training.wish', label: '有无培训意愿', kind: 'bool_have' },
  { path: 'training.category', label: '意愿培训类别', group: 'training_categories' },
  { path: 'training.job', label: '意愿培训工种' },
  { path: 'training.month', label: '意愿培训日期' },
  { path: 'services.none', label: '未享受过就业服务', kind: 'bool' },
  ...SERVICE_ITEMS.map((s) => ({ path: `services.items.${s.code}`, label: `${s.label}次数` }))
]

/** Fields whose value travels with another (the code beside a place name). */
const COMPANIONS: Record<string, string[]> = {
  'employment.place_name': ['employment.place_code'],
  'not_out.dest_name': ['not_out.dest_code'],
  'return.prev_place_name': ['return.prev_place_code']
}

export function fieldLabel(path: string): string {
  const f = FIELDS.find((x) => x.path === path)
  return f ? f.label : path
}

/** showValue renders one field's value for people ('—' when empty). */
export function showValue(path: string, value: unknown): string {
  const f = FIELDS.find((x) => x.path === path)
  if (value === null || value === undefined || value === '') return '—'
  if (f && (f.kind === 'bool' || f.kind === 'bool_have')) {
    if (value === true) return f.kind === 'bool_have' ? '有' : '是'
    if (value === false) return f.kind === 'bool_have' ? '无' : '否'
  }
  if (f && f.kind === 'months' && Array.isArray(value)) {
    if (value.length === 0) return '—'
    return `${value.length}个月（${value.map((m) => `${Number(String(m).slice(5))}月`).join('、')}）`
  }
  if (f && f.kind === 'yuan') return `${value} 元`
  if (f && f.group) return optionLabel(f.group, String(value))
  if (path === 'basic.state_reason') return optionLabel('temp_exit_reasons', String(value)) === String(value) ? optionLabel('perm_exit_reasons', String(value)) : optionLabel('temp_exit_reasons', String(value))
  return String(value)
}

function same(a: unknown, b: unknown): boolean {
  const norm = (x: unknown) => (x === undefined || x === null ? '' : x)
  return JSON.stringify(norm(a)) === JSON.stringify(norm(b))
}

export interface Difference {
  path: string
  label: string
  mine: string
  theirs: string
}

/** differences lists the fields where the draft and the ledger disagree, in form order. */
export function differences(mine: FormValues, theirs: FormValues): Difference[] {
  const out: Difference[] = []
  for (const f of FIELDS) {
    const a = getPath(mine, f.path)
    const b = getPath(theirs, f.path)
    if (same(a, b)) continue
    out.push({ path: f.path, label: f.label, mine: showValue(f.path, a), theirs: showValue(f.path, b) })
  }
  return out
}

export type Pick = 'mine' | 'theirs'

/**
 * merge builds the values to resubmit: the draft, with every field the cadre picked from the
 * ledger ("theirs") copied over (with its companion code).
 */
export function merge(mine: FormValues, theirs: FormValues, picks: Record<string, Pick>): FormValues {
  let out = mine
  for (const [path, pick] of Object.entries(picks)) {
    if (pick !== 'theirs') continue
    for (const p of [path, ...(COMPANIONS[path] || [])]) out = setPath(out, p, getPath(theirs, p))
  }
  return out
}
