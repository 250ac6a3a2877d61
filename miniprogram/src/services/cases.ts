import { query, request } from './request'
import type { CaseAction, CaseActionKind, CaseKPI, Paged, ReturnCase } from '../types/jobs'

export type CaseFilter = 'open' | 'placed' | 'declined' | 'all'

export function listCases(status: CaseFilter = 'open', page = 1): Promise<Paged<ReturnCase>> {
  return request<Paged<ReturnCase>>(`/api/v1/cases${query({ status, page, page_size: 100 })}`)
}

/** escalatedCases are the overdue cases handed to the task force. */
export function escalatedCases(status: CaseFilter = 'all'): Promise<Paged<ReturnCase>> {
  return request<Paged<ReturnCase>>(`/api/v1/cases/escalated${query({ status, page_size: 100 })}`)
}

export function getCase(id: string): Promise<ReturnCase> {
  return request<ReturnCase>(`/api/v1/cases/${encodeURIComponent(id)}`)
}

/** caseAction records a one-tap action: 已电话联系, 已上门送岗 (visited), 已推送岗位 (delivered). */
export function caseAction(id: string, kind: CaseActionKind, note = '', jobIds: string[] = []): Promise<CaseAction> {
  return request<CaseAction>(`/api/v1/cases/${encodeURIComponent(id)}/${kind}`, {
    method: 'POST',
    data: { note, job_ids: jobIds }
  })
}

export function declineCase(id: string, reason: string, note = ''): Promise<ReturnCase> {
  return request<ReturnCase>(`/api/v1/cases/${encodeURIComponent(id)}/decline`, { method: 'POST', data: { reason, note } })
}

export function caseKPIs(params: { region?: string; from?: string; to?: string } = {}): Promise<CaseKPI> {
  return request<CaseKPI>(`/api/v1/cases/kpis${query(params)}`)
}

/** myCase is the worker's open case; the server answers 404 when there is none (null here). */
export async function myCase(): Promise<ReturnCase | null> {
  try {
    return await request<ReturnCase>('/api/v1/me/case')
  } catch (e: any) {
    if (e && e.status === 404) return null
    throw e
  }
}

/** DECLINE_REASONS mirror model.DeclineReasons (the server checks them). */
export const DECLINE_REASONS = [
  { code: 'found_own', label: '已自行找到工作' },
  { code: 'no_longer_wants', label: '暂无就业意愿' },
  { code: 'farming', label: '务农' },
  { code: 'family_care', label: '照顾家人' },
  { code: 'health', label: '身体原因' },
  { code: 'unreachable', label: '长期联系不上' },
  { code: 'other', label: '其他' }
]
