import type { Claim, ClaimState } from '../types/subsidies'

// What the worker's phone says about a claim. The back office uses the server's own labels;
// the worker sees seven plain words: 待审核 / 已通过 / 公示中 / 待发放 / 已发放 / 发放失败 / 追回
// (plus 未通过 and the 定额预付 words: 待预付 / 已预付 / 已结算 / 追回 / 已失效).
export const WORKER_CLAIM_LABELS: Record<ClaimState, string> = {
  submitted: '待审核',
  approved: '已通过',
  rejected: '未通过',
  in_notice: '公示中',
  notice_passed: '待发放',
  objected: '公示有异议',
  in_batch: '待发放',
  paid: '已发放',
  pay_failed: '发放失败',
  advance_due: '待预付',
  prepaid: '已预付',
  settled: '已结算',
  recovery: '追回',
  recovered: '已追回',
  lapsed: '已失效'
}

/** claimStatusLabel is the worker-facing word for a claim state; unknown states use the server's label. */
export function claimStatusLabel(state: string, serverLabel = ''): string {
  return WORKER_CLAIM_LABELS[state as ClaimState] || serverLabel || '处理中'
}

export type ClaimTone = 'green' | 'blue' | 'orange' | 'grey' | 'red'

/** claimTone colours a claim's status tag. */
export function claimTone(state: string): ClaimTone {
  switch (state) {
    case 'paid':
    case 'settled':
      return 'green'
    case 'approved':
    case 'in_notice':
    case 'notice_passed':
    case 'in_batch':
    case 'advance_due':
    case 'prepaid':
      return 'blue'
    case 'submitted':
    case 'objected':
      return 'orange'
    case 'rejected':
    case 'pay_failed':
    case 'recovery':
      return 'red'
    case 'lapsed':
      return 'grey'
    default:
      return 'grey'
  }
}

/** claimHint is one sentence telling the worker what happens next. */
export function claimHint(c: Pick<Claim, 'state' | 'reason'>): string {
  switch (c.state) {
    case 'submitted':
      return '县专班审核中，请耐心等待'
    case 'approved':
      return '已通过，将公示后发放到你的银行卡'
    case 'in_notice':
      return '正在公示，公示期满无异议后发放'
    case 'notice_passed':
    case 'in_batch':
      return '公示已结束，正在安排发放'
    case 'paid':
      return '钱已经打到你的银行卡，请查收'
    case 'pay_failed':
      return '银行没打进去，请核对收款账户，专班会再次发放'
    case 'rejected':
      return c.reason ? `未通过：${c.reason}` : '未通过审核'
    case 'objected':
      return '公示期间有人提出异议，专班正在核实'
    case 'advance_due':
      return '定额预付已通过，正在安排发放到你的银行卡'
    case 'prepaid':
      return '预付的钱已打到你的银行卡；务工月数核实达到要求后结算'
    case 'settled':
      return '务工月数已核实达到要求，预付已结算'
    case 'recovery':
      return '务工月数没达到要求，预付的钱需要退回'
    case 'lapsed':
      return '到结算截止日务工月数没达到要求，预付款没有发放，这次申领已失效，不用退钱'
    default:
      return ''
  }
}

/**
 * yuan shows an amount in 分 as yuan: whole yuan without decimals (600), otherwise two
 * decimals (600.50). Amounts are integers of 分; never floats on the wire.
 */
export function yuan(fen: number | null | undefined): string {
  const n = Math.round(Number(fen) || 0)
  const neg = n < 0
  const abs = Math.abs(n)
  const whole = Math.floor(abs / 100)
  const cents = abs % 100
  const body = cents === 0 ? String(whole) : `${whole}.${cents < 10 ? '0' : ''}${cents}`
  return (neg ? '-' : '') + body
}

/** money is yuan(fen) with the unit: "600元". */
export function money(fen: number | null | undefined): string {
  return `${yuan(fen)}元`
}

export interface ClaimForm {
  policyId: string
  from: string
  to: string
  date: string
}

/**
 * validateClaimForm checks a claim before it is sent (the server checks again): a policy, the
 * trip's start and destination, and its date (not in the future). Returns messages by field.
 */
export function validateClaimForm(f: ClaimForm, todayStr: string): Record<string, string> {
  const errs: Record<string, string> = {}
  if (!f.policyId) errs.policy_id = '请选择要申领的补贴'
  if (!f.from) errs.trip_from = '请选择从哪里出发'
  if (!f.to) errs.trip_to = '请选择去哪里务工'
  if (f.from && f.to && f.from === f.to) errs.trip_to = '出发地和目的地不能相同'
  if (!f.date) errs.trip_date = '请选择出发日期'
  else if (!/^\d{4}-\d{2}-\d{2}$/.test(f.date)) errs.trip_date = '日期格式不对'
  else if (f.date > todayStr) errs.trip_date = '出行日期不能晚于今天'
  return errs
}

/** policyAmountText describes a policy's amounts: "省内县外300元，省外600元" or "500元". */
export function policyAmountText(p: {
  by_destination: boolean
  amount_fen: number
  amount_in_province_fen: number
  amount_out_province_fen: number
}): string {
  if (p.by_destination) return `省内县外${money(p.amount_in_province_fen)}，省外${money(p.amount_out_province_fen)}`
  return money(p.amount_fen)
}
