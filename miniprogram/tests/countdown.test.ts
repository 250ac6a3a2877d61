import { describe, expect, it } from 'vitest'
import { caseStage, formatCountdown, formatOverdue, HOUR } from '../src/utils/countdown'

const T0 = Date.parse('2026-11-20T08:00:00Z')

describe('caseStage', () => {
  it.each([
    [0, 'first', '24小时内'],
    [23.99, 'first', '24小时内'],
    [24, 'second', '24–48小时'],
    [47.5, 'second', '24–48小时'],
    [48, 'third', '48–72小时'],
    [71.99, 'third', '48–72小时'],
    [72, 'overdue', '已超时'],
    [100, 'overdue', '已超时']
  ])('at +%s h the stage is %s', (h, stage, label) => {
    const s = caseStage(T0, T0 + (h as number) * HOUR)
    expect(s.stage).toBe(stage)
    expect(s.label).toBe(label)
  })

  it('counts down to T0+72h', () => {
    const s = caseStage(new Date(T0).toISOString(), T0 + HOUR + 1000)
    expect(s.remainingMs).toBe(71 * HOUR - 1000)
    expect(s.text).toBe('剩 70:59:59')
  })

  it('uses the server due time and overdue flag', () => {
    expect(caseStage(T0, T0 + HOUR, { dueAt: T0 + 2 * HOUR }).remainingMs).toBe(HOUR)
    expect(caseStage(T0, T0 + HOUR, { overdue: true }).stage).toBe('overdue')
  })

  it('says how long overdue', () => {
    const s = caseStage(T0, T0 + 75 * HOUR + 12 * 60000)
    expect(s.text).toBe('已超时 3小时12分')
    expect(formatOverdue(2 * 24 * HOUR + 5 * HOUR)).toBe('2天5小时')
  })

  it('a closed case has no clock', () => {
    expect(caseStage(T0, T0 + 100 * HOUR, { closed: true }).stage).toBe('closed')
  })

  it('formats hours beyond 24', () => {
    expect(formatCountdown(50 * HOUR + 61000)).toBe('50:01:01')
    expect(formatCountdown(-5)).toBe('00:00:00')
  })
})
