import { describe, expect, it } from 'vitest'
import { checkForm, emptyValues, proofFacts, setPath, visibleSections, workYearMonths } from '../src/cadre/lib/rules'
import type { FormValues } from '../src/types/verify'

const withValues = (pairs: Record<string, unknown>): FormValues => {
  let v = emptyValues(new Date(2026, 10, 5))
  for (const [k, val] of Object.entries(pairs)) v = setPath(v, k, val)
  return v
}

describe('section visibility (填表规则 2–5), both ways', () => {
  it('是否务工=是 shows 已外出务工情况 and hides 暂未外出务工情况', () => {
    const s = visibleSections(withValues({ working: true }))
    expect(s.has('employment')).toBe(true)
    expect(s.has('not_out')).toBe(false)
  })
  it('是否务工=否 shows 暂未外出务工情况 and hides 已外出务工情况', () => {
    const s = visibleSections(withValues({ working: false }))
    expect(s.has('not_out')).toBe(true)
    expect(s.has('employment')).toBe(false)
  })
  it('unanswered 是否务工 shows neither block', () => {
    const s = visibleSections(withValues({}))
    expect(s.has('employment')).toBe(false)
    expect(s.has('not_out')).toBe(false)
  })
  it('外出计划=是 shows 意向地/岗位/月薪; =否 shows 无外出意愿原因', () => {
    const yes = visibleSections(withValues({ working: false, 'not_out.has_plan': true }))
    expect(yes.has('plan_yes')).toBe(true)
    expect(yes.has('plan_no')).toBe(false)
    const no = visibleSections(withValues({ working: false, 'not_out.has_plan': false }))
    expect(no.has('plan_no')).toBe(true)
    expect(no.has('plan_yes')).toBe(false)
  })
  it('培训意愿=有 shows 类别/工种/日期; =无 hides them', () => {
    expect(visibleSections(withValues({ 'training.wish': true })).has('training_detail')).toBe(true)
    expect(visibleSections(withValues({ 'training.wish': false })).has('training_detail')).toBe(false)
  })
  it('就业服务: counts unless 未享受过', () => {
    expect(visibleSections(withValues({ 'services.none': false })).has('service_counts')).toBe(true)
    expect(visibleSections(withValues({ 'services.none': true })).has('service_counts')).toBe(false)
  })
  it('返乡回流=是 shows reason, place and date; =否 hides them', () => {
    expect(visibleSections(withValues({ 'return.returned': true })).has('return_detail')).toBe(true)
    expect(visibleSections(withValues({ 'return.returned': false })).has('return_detail')).toBe(false)
  })
  it('联系不上 hides every block but the attempts and the proof', () => {
    const s = visibleSections(withValues({ verification: 'unreachable', working: true }))
    expect([...s].sort()).toEqual(['basic', 'proof', 'unreachable'])
  })
  it('永久退出 does not ask 暂未外出务工情况', () => {
    expect(visibleSections(withValues({ 'basic.state': 'perm_exit', working: false })).has('not_out')).toBe(false)
  })
})

describe('checkForm', () => {
  it('asks for the whole employment block when 是否务工=是 and not for 暂未外出', () => {
    const e = checkForm(withValues({ working: true }))
    expect(e['employment.wage']).toBeTruthy()
    expect(e['employment.place_code']).toBeTruthy()
    expect(Object.keys(e).some((k) => k.startsWith('not_out.'))).toBe(false)
  })
  it('asks for 无外出意愿原因 when 外出计划=否 and for the plan when =是', () => {
    const no = checkForm(withValues({ working: false, 'not_out.type': 'never_out', 'not_out.has_plan': false }))
    expect(no['not_out.no_plan_reason']).toBeTruthy()
    expect(no['not_out.dest_code']).toBeUndefined()
    const yes = checkForm(withValues({ working: false, 'not_out.type': 'never_out', 'not_out.has_plan': true }))
    expect(yes['not_out.dest_code']).toBeTruthy()
    expect(yes['not_out.job']).toBeTruthy()
    expect(yes['not_out.expected_wage']).toBeTruthy()
    expect(yes['not_out.no_plan_reason']).toBeUndefined()
  })
  it('needs services or 未享受过', () => {
    expect(checkForm(withValues({}))['services.items']).toBeTruthy()
    expect(checkForm(withValues({ 'services.none': true }))['services.items']).toBeUndefined()
    expect(checkForm(withValues({ 'services.items': { guidance: '2' } }))['services.items']).toBeUndefined()
  })
  it('needs a signature for 当面签名 and a location for 入户', () => {
    const v = withValues({})
    const proof = { visited_at: '', method: 'visit', confirm_method: 'signature', location: null, location_note: '', signature: '' }
    const e = checkForm(v, proofFacts(proof, 0))
    expect(e['proof.signature']).toBeTruthy()
    expect(e['proof.location']).toBeTruthy()
    const ok = checkForm(v, proofFacts({ ...proof, signature: 'data:image/png;base64,AA', location: { latitude: 35.6, longitude: 103.4, accuracy: 20 } }, 0))
    expect(ok['proof.signature']).toBeUndefined()
    expect(ok['proof.location']).toBeUndefined()
  })
  it('联系不上 needs an attempt and nothing else', () => {
    const v = withValues({ verification: 'unreachable' })
    const proof = { visited_at: '', method: 'visit', confirm_method: '', location: null, location_note: '', signature: '' }
    expect(Object.keys(checkForm(v, proofFacts(proof, 0)))).toEqual(['proof.attempts'])
    expect(checkForm(v, proofFacts(proof, 1))).toEqual({})
  })
  it('a complete returnee form passes', () => {
    const v = withValues({
      working: false,
      'basic.labour_capacity': 'ordinary',
      'basic.skill_level': 'none',
      'basic.two_after': false,
      'basic.education': 'junior_high',
      'work_year.months': ['2025-10', '2025-11'],
      'work_year.months_worked': '2',
      'work_year.income': '9000',
      'not_out.type': 'lost_job',
      'not_out.lost_job_date': '2026-11-01',
      'not_out.has_plan': false,
      'not_out.no_plan_reason': 'family_care',
      'return.returned': true,
      'return.reason': 'personal',
      'return.prev_place_code': '320583',
      'return.return_date': '2026-11-02',
      'training.wish': false,
      'services.none': true
    })
    expect(checkForm(v)).toEqual({})
  })
})

describe('workYearMonths', () => {
  it('runs 1 Oct – 30 Sep around the day', () => {
    expect(workYearMonths(new Date(2026, 10, 5))[0]).toBe('2026-10')
    expect(workYearMonths(new Date(2026, 2, 5))).toHaveLength(12)
    expect(workYearMonths(new Date(2026, 2, 5))[0]).toBe('2025-10')
    expect(workYearMonths(new Date(2026, 2, 5))[11]).toBe('2026-09')
  })
})
