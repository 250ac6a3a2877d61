import { describe, expect, it } from 'vitest'
import {
  CURRENT_KIND_LABELS,
  REPORT_BUTTONS,
  canApprove,
  canSeeLedger,
  recordStatusLabel,
  reviewTag,
  roleLabel,
  statusLabel,
  statusTone
} from '../src/utils/labels'
import { devTestIds } from '../src/utils/devlogin'
import { homeFor } from '../src/utils/nav'
import { showDate } from '../src/utils/date'
import type { Me } from '../src/types/api'

describe('status labels', () => {
  it('prefers the server label', () => {
    expect(statusLabel({ kind: 'returned', label: '失业返乡，想找工作' })).toBe('失业返乡，想找工作')
  })

  it('falls back to the kind', () => {
    expect(statusLabel({ kind: 'returned', label: '' })).toBe('失业返乡')
    expect(statusLabel({ kind: 'working', label: '' })).toBe('在岗务工')
    expect(statusLabel({ kind: 'no_plan', label: '' })).toBe('暂不外出')
    expect(statusLabel({ kind: 'bogus' as any, label: '' })).toBe(CURRENT_KIND_LABELS.unknown)
    expect(statusLabel(null)).toBe('还没有报告情况')
  })

  it('tags only self-reported pending statuses', () => {
    expect(reviewTag({ self_reported: true, review: 'pending', review_label: '待核实' })).toBe('待核实')
    expect(reviewTag({ self_reported: true, review: 'pending', review_label: '' })).toBe('待核实')
    expect(reviewTag({ self_reported: false, review: 'pending', review_label: '待核实' })).toBe('')
    expect(reviewTag({ self_reported: true, review: 'verified', review_label: '已核实' })).toBe('')
  })

  it('colours by kind', () => {
    expect(statusTone('working')).toBe('green')
    expect(statusTone('returned')).toBe('orange')
    expect(statusTone('unknown')).toBe('grey')
  })

  it('lists the five report buttons in order', () => {
    expect(REPORT_BUTTONS.map((b) => b.kind)).toEqual(['still_working', 'new_job', 'returned', 'plan_out', 'no_plan'])
    expect(REPORT_BUTTONS.map((b) => b.label)).toEqual(['在岗', '换了工作', '失业返乡', '想外出', '暂不外出'])
  })

  it('labels records and roles', () => {
    expect(recordStatusLabel('pending')).toBe('待确认')
    expect(recordStatusLabel('active')).toBe('已入库')
    expect(roleLabel('cadre')).toBe('村干部')
    expect(roleLabel('cadre', '驻村工作队')).toBe('驻村工作队')
    expect(canSeeLedger('official')).toBe(true)
    expect(canSeeLedger('employer')).toBe(false)
    expect(canApprove('taskforce')).toBe(true)
    expect(canApprove('official')).toBe(false)
  })

  it('formats dates', () => {
    expect(showDate('2026-11-20')).toBe('2026年11月20日')
    expect(showDate('2026-12')).toBe('2026年12月')
    expect(showDate('2026-11-20T08:00:00Z')).toBe('2026年11月20日')
  })
})

describe('login routing', () => {
  const me = (over: Partial<Me>): Me => ({
    id: '1', role: 'worker', role_label: '务工人员', name: '马', phone_masked: '', binding_status: 'bound', labourer_id: '1', scopes: [], ...over
  })

  it('sends each role home', () => {
    expect(homeFor(me({}))).toBe('/worker/home/index')
    expect(homeFor(me({ binding_status: 'none' }))).toBe('/pages/bind/index')
    expect(homeFor(me({ binding_status: 'pending' }))).toBe('/pages/bind/index')
    expect(homeFor(me({ role: 'cadre', binding_status: 'none' }))).toBe('/office/home/index')
  })

  it('gives the first account of each role a test id', () => {
    const ids = devTestIds([
      { id: '1', role: 'worker', role_label: '务工人员', name: 'a' },
      { id: '2', role: 'worker', role_label: '务工人员', name: 'b' },
      { id: '3', role: 'cadre', role_label: '村干部', name: 'c' }
    ])
    expect(ids).toEqual({ '1': 'dev-login-worker', '3': 'dev-login-cadre' })
  })
})
