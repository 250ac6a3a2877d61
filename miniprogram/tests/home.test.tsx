import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { act, cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react'
import Taro from '@tarojs/taro'
import { resetStorage } from './stubs/taro'
import StatusCardView from '../src/components/StatusCardView'
import ReportButtons from '../src/components/ReportButtons'
import WorkerHome from '../src/worker/home/index'
import { saveTokens } from '../src/services/session'
import type { Me, StatusCard } from '../src/types/api'

const me: Me = {
  id: '1', role: 'worker', role_label: '务工人员', name: '马小军', phone_masked: '138****1234', binding_status: 'bound', labourer_id: '9007199254740993', scopes: []
}

function card(current: Partial<StatusCard['current']>): StatusCard {
  return {
    labourer: { id: '9007199254740993', name: '马小军', id_masked: '6229**1234', phone_masked: '138****1234', village_code: '622926100201', region_path: '', record_status: 'active' },
    current: { kind: 'working', label: '在岗务工', since: '2026-03-01', self_reported: false, review: 'verified', review_label: '已核实', ...current },
    spell: null,
    last_return: null,
    plan: null,
    history: []
  }
}

beforeEach(() => {
  resetStorage()
  saveTokens({ access_token: 'a', refresh_token: 'r', expires_in: 900, me })
})

afterEach(() => cleanup())

describe('StatusCardView', () => {
  it('shows the label, the date and the 待核实 tag', () => {
    render(<StatusCardView card={card({ kind: 'returned', label: '失业返乡，想找工作', since: '2026-11-20', self_reported: true, review: 'pending', review_label: '待核实' })} />)
    const el = screen.getByTestId('status-card')
    expect(el.textContent).toContain('失业返乡，想找工作')
    expect(el.textContent).toContain('2026年11月20日')
    expect(screen.getByTestId('status-review-tag').textContent).toBe('待核实')
  })

  it('has no tag for a verified status', () => {
    render(<StatusCardView card={card({})} />)
    expect(screen.queryByTestId('status-review-tag')).toBeNull()
    expect(screen.getByTestId('status-label').textContent).toBe('在岗务工')
  })
})

describe('ReportButtons', () => {
  it('renders the five buttons and reports the tapped kind', () => {
    const onPick = vi.fn()
    render(<ReportButtons onPick={onPick} />)
    for (const kind of ['still_working', 'new_job', 'returned', 'plan_out', 'no_plan']) {
      expect(screen.getByTestId(`report-${kind}`)).toBeTruthy()
    }
    expect(screen.getByTestId('report-returned').textContent).toContain('失业返乡')
    fireEvent.click(screen.getByTestId('report-returned'))
    expect(onPick).toHaveBeenCalledWith('returned')
  })

  it('ignores taps while a report is being sent', () => {
    const onPick = vi.fn()
    render(<ReportButtons onPick={onPick} busy='still_working' />)
    fireEvent.click(screen.getByTestId('report-returned'))
    expect(onPick).not.toHaveBeenCalled()
    expect(screen.getByTestId('report-still_working').textContent).toContain('请稍候')
  })
})

describe('WorkerHome', () => {
  it('reports 失业返乡 → 想找工作 in two taps', async () => {
    const posted: any[] = []
    vi.spyOn(Taro as any, 'request').mockImplementation(async (opts: any) => {
      if (opts.url === '/api/v1/me/status') return { statusCode: 200, data: card({}) } as any
      if (opts.url === '/api/v1/me/reports') {
        posted.push(opts.data)
        return {
          statusCode: 201,
          data: card({ kind: 'returned', label: '失业返乡，想找工作', since: '2026-11-20', self_reported: true, review: 'pending', review_label: '待核实' })
        } as any
      }
      return { statusCode: 404, data: { error: { code: 'not_found', message: '没有找到' } } } as any
    })
    render(<WorkerHome />)
    await waitFor(() => expect(screen.getByTestId('status-label').textContent).toBe('在岗务工'))

    await act(async () => {
      fireEvent.click(screen.getByTestId('report-returned'))
    })
    await act(async () => {
      fireEvent.click(screen.getByTestId('returned-wants-work'))
    })

    await waitFor(() => expect(screen.getByTestId('status-label').textContent).toBe('失业返乡，想找工作'))
    expect(posted).toEqual([{ kind: 'returned', wants_work: true }])
    expect(screen.queryByTestId('returned-wants-work')).toBeNull()
    expect(screen.getByTestId('status-review-tag').textContent).toBe('待核实')
  })

  it('shows the server error when a report fails', async () => {
    vi.spyOn(Taro as any, 'request').mockImplementation(async (opts: any) => {
      if (opts.url === '/api/v1/me/status') return { statusCode: 200, data: card({}) } as any
      return { statusCode: 500, data: { error: { code: 'internal', message: '服务器忙，请稍后再试' } } } as any
    })
    render(<WorkerHome />)
    await waitFor(() => screen.getByTestId('status-label'))
    await act(async () => {
      fireEvent.click(screen.getByTestId('report-still_working'))
    })
    await waitFor(() => expect(screen.getByTestId('error-banner').textContent).toBe('服务器忙，请稍后再试'))
  })
})
