import { describe, expect, it } from 'vitest'
import {
  WORKER_CLAIM_LABELS,
  claimHint,
  claimStatusLabel,
  claimTone,
  money,
  policyAmountText,
  validateClaimForm,
  yuan
} from '../src/utils/subsidies'

describe('claim status labels (worker)', () => {
  it('uses the seven worker words', () => {
    expect(claimStatusLabel('submitted')).toBe('待审核')
    expect(claimStatusLabel('approved')).toBe('已通过')
    expect(claimStatusLabel('in_notice')).toBe('公示中')
    expect(claimStatusLabel('notice_passed')).toBe('待发放')
    expect(claimStatusLabel('in_batch')).toBe('待发放')
    expect(claimStatusLabel('paid')).toBe('已发放')
    expect(claimStatusLabel('pay_failed')).toBe('发放失败')
    expect(claimStatusLabel('recovery')).toBe('追回')
  })

  it('labels every server state', () => {
    const states = ['submitted', 'approved', 'rejected', 'in_notice', 'notice_passed', 'objected', 'in_batch', 'paid',
      'pay_failed', 'advance_due', 'prepaid', 'settled', 'recovery', 'recovered', 'lapsed']
    for (const s of states) expect(WORKER_CLAIM_LABELS[s as keyof typeof WORKER_CLAIM_LABELS]).toBeTruthy()
  })

  it('falls back to the server label, then a neutral word', () => {
    expect(claimStatusLabel('new_state', '新状态')).toBe('新状态')
    expect(claimStatusLabel('new_state')).toBe('处理中')
  })

  it('colours paid green, failures red, waiting orange', () => {
    expect(claimTone('paid')).toBe('green')
    expect(claimTone('pay_failed')).toBe('red')
    expect(claimTone('recovery')).toBe('red')
    expect(claimTone('submitted')).toBe('orange')
    expect(claimTone('in_notice')).toBe('blue')
    expect(claimTone('zzz')).toBe('grey')
  })

  it('explains a rejection with its reason', () => {
    expect(claimHint({ state: 'rejected', reason: '台账中没有县外务工记录' })).toBe('未通过：台账中没有县外务工记录')
    expect(claimHint({ state: 'paid', reason: '' })).toContain('银行卡')
  })

  it('walks a 定额预付 advance through 待预付, 已预付 and 已结算', () => {
    expect(claimStatusLabel('advance_due')).toBe('待预付')
    expect(claimTone('advance_due')).toBe('blue')
    expect(claimHint({ state: 'advance_due', reason: '' })).toContain('安排发放')
    expect(claimHint({ state: 'prepaid', reason: '' })).toContain('结算')
    expect(claimHint({ state: 'settled', reason: '' })).toContain('已结算')
  })

  it('says a lapsed advance was never paid and needs no refund', () => {
    expect(claimStatusLabel('lapsed')).toBe('已失效')
    expect(claimTone('lapsed')).toBe('grey')
    expect(claimHint({ state: 'lapsed', reason: '' })).toContain('没有发放')
    expect(claimHint({ state: 'lapsed', reason: '' })).toContain('不用退钱')
  })
})

describe('amount display (fen → yuan)', () => {
  it('shows whole yuan without decimals', () => {
    expect(yuan(60000)).toBe('600')
    expect(yuan(0)).toBe('0')
    expect(money(30000)).toBe('300元')
  })

  it('shows two decimals when there are fen', () => {
    expect(yuan(60050)).toBe('600.50')
    expect(yuan(60005)).toBe('600.05')
    expect(yuan(1)).toBe('0.01')
    expect(yuan(99)).toBe('0.99')
  })

  it('handles negatives, nulls and large amounts without float errors', () => {
    expect(yuan(-150)).toBe('-1.50')
    expect(yuan(null)).toBe('0')
    expect(yuan(undefined)).toBe('0')
    expect(yuan(10_000_000)).toBe('100000')
    expect(yuan(123456789)).toBe('1234567.89')
  })

  it('describes a policy by destination or fixed', () => {
    expect(policyAmountText({ by_destination: true, amount_fen: 0, amount_in_province_fen: 30000, amount_out_province_fen: 60000 }))
      .toBe('省内县外300元，省外600元')
    expect(policyAmountText({ by_destination: false, amount_fen: 150050, amount_in_province_fen: 0, amount_out_province_fen: 0 }))
      .toBe('1500.50元')
  })
})

describe('claim form validation', () => {
  const ok = { policyId: '1', from: '622926', to: '320583', date: '2026-11-16' }
  const today = '2026-11-23'

  it('accepts a complete past trip', () => {
    expect(validateClaimForm(ok, today)).toEqual({})
  })

  it('accepts a trip today', () => {
    expect(validateClaimForm({ ...ok, date: today }, today)).toEqual({})
  })

  it('refuses from = to', () => {
    expect(validateClaimForm({ ...ok, to: '622926' }, today)).toEqual({ trip_to: '出发地和目的地不能相同' })
  })

  it('refuses a date in the future', () => {
    expect(validateClaimForm({ ...ok, date: '2026-11-24' }, today)).toEqual({ trip_date: '出行日期不能晚于今天' })
    expect(validateClaimForm({ ...ok, date: '2027-01-01' }, today).trip_date).toBe('出行日期不能晚于今天')
  })

  it('asks for every missing field', () => {
    const e = validateClaimForm({ policyId: '', from: '', to: '', date: '' }, today)
    expect(Object.keys(e).sort()).toEqual(['policy_id', 'trip_date', 'trip_from', 'trip_to'])
  })

  it('refuses a malformed date', () => {
    expect(validateClaimForm({ ...ok, date: '2026/11/16' }, today).trip_date).toBe('日期格式不对')
  })
})
