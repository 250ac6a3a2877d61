import { afterEach, describe, expect, it, vi } from 'vitest'
import { cleanup, fireEvent, render, screen } from '@testing-library/react'
import JobCard from '../src/components/JobCard'
import CaseCard from '../src/components/CaseCard'
import type { RecommendedJob, ReturnCase } from '../src/types/jobs'
import { maskName } from '../src/utils/jobs'
import { homeFor } from '../src/utils/nav'

afterEach(() => cleanup())

const job: RecommendedJob = {
  job_id: '9007199254740995',
  title: '清真食品包装普工',
  industry: 'general_worker',
  industry_label: '普工',
  place_code: '622926',
  place_name: '甘肃省 临夏回族自治州 东乡族自治县',
  wage_min: 5200,
  wage_max: 6000,
  housing: true,
  meals: true,
  transport: true,
  valid_until: '2027-01-20T00:00:00Z',
  score: 78,
  reasons: [
    { code: 'same_county', label: '同县（东乡族自治县）', points: 30 },
    { code: 'industry_match', label: '工种相符', points: 25 },
    { code: 'wage_ok', label: '工资≥期望', points: 20 }
  ],
  pushed: true
}

describe('JobCard', () => {
  it('renders the title, wage, place, perks and every reason as a tag', () => {
    const onOpen = vi.fn()
    render(<JobCard job={job} onOpen={onOpen} />)
    const card = screen.getByTestId('job-card')
    expect(screen.getByTestId('job-title').textContent).toBe('清真食品包装普工')
    expect(card.textContent).toContain('5200–6000元/月')
    expect(card.textContent).toContain('临夏回族自治州 东乡族自治县')
    expect(card.textContent).toContain('包吃住')
    expect(card.textContent).toContain('点对点输送')
    const tags = screen.getByTestId('job-reasons').children
    expect(Array.from(tags).map((t) => t.textContent)).toEqual(['同县（东乡族自治县）', '工种相符', '工资≥期望'])
    expect(screen.getByTestId('reason-wage_ok').textContent).toBe('工资≥期望')
    expect(screen.queryByTestId('job-applied')).toBeNull()
    fireEvent.click(card)
    expect(onOpen).toHaveBeenCalledWith('9007199254740995')
  })

  it('shows the applied state and no reason row without reasons', () => {
    render(<JobCard job={{ ...job, reasons: [] }} applied='已报名' />)
    expect(screen.getByTestId('job-applied').textContent).toBe('已报名')
    expect(screen.queryByTestId('job-reasons')).toBeNull()
  })
})

describe('CaseCard', () => {
  const t0 = Date.parse('2026-11-20T08:00:00Z')
  const c: ReturnCase = {
    id: '1', labourer_id: '2', labourer_name: '马小军', phone_masked: '139****0000', village_code: '622926100201',
    village_name: '锁南镇 某村', status: 'open', status_label: '跟踪中', opened_at: new Date(t0).toISOString(),
    due_at: new Date(t0 + 72 * 3600000).toISOString(), countdown_seconds: 0, checkpoint: 24, next_checkpoint: 48,
    next_check_at: null, visit_required: false, visited_at: null, overdue: false, escalated: false, closed_at: null,
    close_reason: '', close_reason_label: '', close_note: '', placed_job_id: null, placed_within_72h: false,
    recommendations: [{ job_id: '9', title: '普工', industry: 'general_worker', industry_label: '普工', place_code: '622926',
      place_name: '东乡族自治县', wage_min: 5200, wage_max: 6000, job_status: 'open', score: 70, reasons: job.reasons, pushed: true, round: 0 }]
  }

  it('colours by stage and counts down', () => {
    render(<CaseCard c={c} now={t0 + 30 * 3600000} onAct={() => undefined} />)
    expect(screen.getByTestId('case-card').getAttribute('data-stage')).toBe('second')
    expect(screen.getByTestId('case-countdown').textContent).toBe('剩 42:00:00')
    expect(screen.getByTestId('case-recs').textContent).toContain('工资≥期望')
  })

  it('reports the tapped action', () => {
    const onAct = vi.fn()
    render(<CaseCard c={c} now={t0} onAct={onAct} />)
    fireEvent.click(screen.getByTestId('case-act-called'))
    expect(onAct).toHaveBeenCalledWith(c, 'called')
  })

  it('a placed case shows its result, not a clock', () => {
    render(<CaseCard c={{ ...c, status: 'placed', status_label: '已上岗', closed_at: new Date(t0 + 3600000).toISOString(), placed_within_72h: true }} now={t0 + 100 * 3600000} />)
    expect(screen.queryByTestId('case-countdown')).toBeNull()
    expect(screen.getByTestId('case-status').textContent).toContain('已上岗')
    expect(screen.getByTestId('case-closed').textContent).toContain('72小时内上岗')
  })
})

describe('employer helpers', () => {
  it('masks candidate names', () => {
    expect(maskName('马小军')).toBe('马*军')
    expect(maskName('马军')).toBe('马*')
    expect(maskName('马哈比布')).toBe('马**布')
  })

  it('an employer lands on the employer home', () => {
    expect(homeFor({ id: '1', role: 'employer', role_label: '用人单位', name: 'x', phone_masked: '', binding_status: 'none', labourer_id: null, scopes: [] })).toBe('/employer/home/index')
  })
})
