import { query, request } from './request'
import type {
  Application,
  Candidate,
  Employer,
  EmployerInput,
  HireInput,
  HireResult,
  Hire,
  Job,
  JobInput,
  MyApplication,
  Paged,
  RecommendedJob
} from '../types/jobs'

// ---- worker ----

/** recommendedJobs is the worker's feed: open jobs that fit, best first, with reasons. */
export async function recommendedJobs(limit = 20): Promise<RecommendedJob[]> {
  const res = await request<{ items: RecommendedJob[] }>(`/api/v1/me/jobs/recommended${query({ limit })}`)
  return (res && res.items) || []
}

export function jobBoard(params: { region?: string; industry?: string; page?: number } = {}): Promise<Paged<Job>> {
  return request<Paged<Job>>(`/api/v1/me/jobs${query(params)}`)
}

export function workerJob(id: string): Promise<Job> {
  return request<Job>(`/api/v1/me/jobs/${encodeURIComponent(id)}`)
}

/** apply says 感兴趣 (interest) or 报名 (apply); a second application answers 409. */
export function apply(jobId: string, kind: 'interest' | 'apply', note = ''): Promise<MyApplication> {
  return request<MyApplication>(`/api/v1/me/jobs/${encodeURIComponent(jobId)}/applications`, {
    method: 'POST',
    data: { kind, note }
  })
}

export function myApplications(page = 1): Promise<Paged<MyApplication>> {
  return request<Paged<MyApplication>>(`/api/v1/me/applications${query({ page, page_size: 50 })}`)
}

// ---- employer member ----

export function myEmployer(): Promise<Employer> {
  return request<Employer>('/api/v1/me/employer')
}

export function registerMyEmployer(body: EmployerInput): Promise<Employer> {
  return request<Employer>('/api/v1/me/employer', { method: 'POST', data: body })
}

export function myJobs(status = ''): Promise<Paged<Job>> {
  return request<Paged<Job>>(`/api/v1/me/employer/jobs${query({ status, page_size: 100 })}`)
}

export function postJob(body: JobInput): Promise<Job> {
  return request<Job>('/api/v1/me/employer/jobs', { method: 'POST', data: body })
}

export function myJob(id: string): Promise<Job> {
  return request<Job>(`/api/v1/me/employer/jobs/${encodeURIComponent(id)}`)
}

export function closeMyJob(id: string): Promise<Job> {
  return request<Job>(`/api/v1/me/employer/jobs/${encodeURIComponent(id)}/close`, { method: 'POST' })
}

export function candidates(jobId: string, status = ''): Promise<Paged<Candidate>> {
  return request<Paged<Candidate>>(
    `/api/v1/me/employer/jobs/${encodeURIComponent(jobId)}/candidates${query({ status, page_size: 100 })}`
  )
}

export function invite(applicationId: string, note = ''): Promise<Application> {
  return request<Application>(`/api/v1/me/employer/applications/${encodeURIComponent(applicationId)}/invite`, {
    method: 'POST',
    data: { note }
  })
}

export function confirmHire(jobId: string, body: HireInput): Promise<HireResult> {
  return request<HireResult>(`/api/v1/me/employer/jobs/${encodeURIComponent(jobId)}/hires`, { method: 'POST', data: body })
}

export function recordDeparture(hireId: string, leftAt: string, reason: string): Promise<Hire> {
  return request<Hire>(`/api/v1/me/employer/hires/${encodeURIComponent(hireId)}/departure`, {
    method: 'POST',
    data: { left_at: leftAt, reason }
  })
}

// ---- task force moderation ----

export function listEmployers(status = ''): Promise<Paged<Employer>> {
  return request<Paged<Employer>>(`/api/v1/employers${query({ status, page_size: 100 })}`)
}

export function reviewEmployer(id: string, verify: boolean, reason = ''): Promise<Employer> {
  return request<Employer>(`/api/v1/employers/${encodeURIComponent(id)}/review`, {
    method: 'POST',
    data: { decision: verify ? 'verify' : 'reject', reason }
  })
}

export function managedJobs(status = ''): Promise<Paged<Job>> {
  return request<Paged<Job>>(`/api/v1/jobs/managed${query({ status, page_size: 100 })}`)
}

export function reviewJob(id: string, approve: boolean, reason = ''): Promise<Job> {
  return request<Job>(`/api/v1/jobs/${encodeURIComponent(id)}/review`, {
    method: 'POST',
    data: { decision: approve ? 'approve' : 'reject', reason }
  })
}
