// Pure helpers of the dashboard (office/dashboard): number formatting, the words under a
// target, and the scales of the bar chart and the monthly trend. No Taro here, so the unit
// tests run them directly.
import type { Target, TrendFigures, TrendMonth } from '../types/reports'

/** fmtInt groups digits by thousands: 1234567 → "1,234,567" (no locale data needed in WeChat). */
export function fmtInt(n: number | null | undefined): string {
  if (n === null || n === undefined || !isFinite(n)) return '—'
  const neg = n < 0
  const s = String(Math.round(Math.abs(n)))
  let out = ''
  for (let i = 0; i < s.length; i++) {
    if (i > 0 && (s.length - i) % 3 === 0) out += ','
    out += s[i]
  }
  return neg ? `-${out}` : out
}

/** fmtPct shows a ratio as a percentage with one decimal: 0.8031 → "80.3%". */
export function fmtPct(ratio: number | null | undefined): string {
  if (ratio === null || ratio === undefined || !isFinite(ratio)) return '—'
  return `${(Math.round(ratio * 1000) / 10).toFixed(1)}%`
}

/** targetTitle reads a target as the documents write it: "外出务工总量超过 13,037 人". */
export function targetTitle(t: Pick<Target, 'metric_label' | 'comparator_label' | 'value'>): string {
  return `${t.metric_label}${t.comparator_label} ${fmtInt(t.value)} 人`
}

/** gapWords says how far a target is: "还差 1,234 人", or "已完成" (with the margin). */
export function gapWords(t: Pick<Target, 'met' | 'gap' | 'current' | 'value' | 'comparator'>): string {
  if (!t.met) return `还差 ${fmtInt(t.gap)} 人`
  const need = t.comparator === 'gt' ? t.value + 1 : t.value
  const over = t.current - need
  return over > 0 ? `已完成，多 ${fmtInt(over)} 人` : '已完成'
}

/** progressPct is the width of a target's bar, 0–100 (a zero target is complete). */
export function progressPct(current: number, value: number): number {
  if (value <= 0) return 100
  return clampPct((current / value) * 100)
}

function clampPct(p: number): number {
  if (!isFinite(p) || p <= 0) return 0
  return p >= 100 ? 100 : Math.round(p * 10) / 10
}

/**
 * niceMax rounds a maximum up to a round number (1, 2, 2.5 or 5 times a power of ten) so
 * the axis ends on a value people read at a glance; 0 stays 0.
 */
export function niceMax(max: number): number {
  if (!isFinite(max) || max <= 0) return 0
  const p = Math.pow(10, Math.floor(Math.log10(max)))
  for (const m of [1, 2, 2.5, 5, 10]) {
    if (m * p >= max) return m * p
  }
  return 10 * p
}

/** Place keys in the order the seed prints them (seed 001 附件: 省外, 省内县外, 县内). */
export const PLACES = [
  { key: 'out_province', label: '省外' },
  { key: 'in_province', label: '省内县外' },
  { key: 'in_county', label: '县内' }
] as const

export type PlaceKey = (typeof PLACES)[number]['key']

export interface Segment {
  key: PlaceKey
  label: string
  value: number
  pct: number // width, percent of the whole axis
}

/** segments splits one region's bar by place, each as a share of the axis maximum. */
export function segments(f: Pick<TrendFigures, PlaceKey>, axisMax: number): Segment[] {
  return PLACES.map((p) => ({ key: p.key, label: p.label, value: f[p.key] || 0, pct: axisMax > 0 ? clampPct(((f[p.key] || 0) / axisMax) * 100) : 0 }))
}

/** barAxis is the bar chart's axis maximum over the regions' totals. */
export function barAxis(totals: number[]): number {
  return niceMax(Math.max(0, ...totals))
}

export interface TrendBar {
  month: string
  label: string // 10月
  reached: boolean
  partial: boolean
  asOf: string | null
  thisValue: number | null // null: the month has not begun
  lastValue: number
  thisPct: number // height, percent of the axis
  lastPct: number
  change: number | null // this year minus the same month last year
}

/** trendBars scales both years' months to one axis (so the two are comparable). */
export function trendBars(months: TrendMonth[]): { axisMax: number; bars: TrendBar[] } {
  let max = 0
  for (const m of months) {
    max = Math.max(max, m.last_year.total, m.this_year ? m.this_year.total : 0)
  }
  const axisMax = niceMax(max)
  const pct = (v: number) => (axisMax > 0 ? clampPct((v / axisMax) * 100) : 0)
  const bars = months.map((m) => {
    const thisValue = m.reached && m.this_year ? m.this_year.total : null
    return {
      month: m.month,
      label: m.label,
      reached: m.reached,
      partial: m.partial,
      asOf: m.as_of,
      thisValue,
      lastValue: m.last_year.total,
      thisPct: thisValue === null ? 0 : pct(thisValue),
      lastPct: pct(m.last_year.total),
      change: thisValue === null ? null : thisValue - m.last_year.total
    }
  })
  return { axisMax, bars }
}

/** changeWords compares a figure with last year's: "比去年同期多 134 人" / "少 …" / "与去年同期持平". */
export function changeWords(change: number | null): string {
  if (change === null) return ''
  if (change === 0) return '与去年同期持平'
  return change > 0 ? `比去年同期多 ${fmtInt(change)} 人` : `比去年同期少 ${fmtInt(-change)} 人`
}

/** latestReached is the index of the last month that has begun (the data date's), -1 if none. */
export function latestReached(months: Pick<TrendMonth, 'reached'>[]): number {
  let i = -1
  months.forEach((m, k) => {
    if (m.reached) i = k
  })
  return i
}

/** workYearOf is the work year (1 October – 30 September, named by its end) a date falls in. */
export function workYearOf(d: Date): number {
  return d.getMonth() + 1 >= 10 ? d.getFullYear() + 1 : d.getFullYear()
}

/** monthDay shows "2026-11-23" as "11月23日". */
export function monthDay(s: string | null | undefined): string {
  if (!s) return ''
  const m = /^\d{4}-(\d{2})-(\d{2})/.exec(s)
  return m ? `${Number(m[1])}月${Number(m[2])}日` : s
}

/** parseCount reads a number of people typed by hand ("13,037", "１３０３７"): null unless a whole number ≥ 0. */
export function parseCount(s: string): number | null {
  const t = s.replace(/[０-９]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0)).replace(/[,，\s]/g, '')
  if (!/^\d{1,9}$/.test(t)) return null
  return Number(t)
}
