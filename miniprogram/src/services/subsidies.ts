// Subsidy policies and claims (api/subsidies.go): one function per endpoint.
import { query, request } from './request'
import type { Claim, ClaimInput, Generated, Page, Policy, SweepResult } from '../types/subsidies'

/** myPolicies lists the policies of the worker's province (active ones). */
export async function myPolicies(): Promise<Policy[]> {
  const r = await request<{ items: Policy[] }>('/api/v1/me/subsidy-policies?active=true')
  return r.items || []
}

/** listPolicies is the back office's list (task force, officials, admins). */
export async function listPolicies(params: { kind?: string; year?: number } = {}): Promise<Policy[]> {
  const r = await request<{ items: Policy[] }>(`/api/v1/subsidy-policies${query({ kind: params.kind, year: params.year })}`)
  return r.items || []
}

/**
 * createClaim files a worker's claim. A second claim for the same policy and year answers 409
 * already_claimed with the existing claim in the body (ApiError.body.data).
 */
export function createClaim(input: ClaimInput): Promise<Claim> {
  return request<Claim>('/api/v1/me/claims', { method: 'POST', data: input })
}

export async function myClaims(): Promise<Claim[]> {
  const r = await request<{ items: Claim[] }>('/api/v1/me/claims')
  return r.items || []
}

export interface ClaimFilter {
  state?: string
  kind?: string
  policy_id?: string
  employer_id?: string
  page?: number
  page_size?: number
}

export function listClaims(f: ClaimFilter = {}): Promise<Page<Claim>> {
  return request<Page<Claim>>(`/api/v1/subsidy-claims${query({ ...f })}`)
}

export function getClaim(id: string): Promise<Claim> {
  return request<Claim>(`/api/v1/subsidy-claims/${id}`)
}

/** employerClaims is an employer's own workshop subsidy list. */
export function employerClaims(page = 1, pageSize = 50): Promise<Page<Claim>> {
  return request<Page<Claim>>(`/api/v1/me/employer/subsidy-claims${query({ page, page_size: pageSize })}`)
}

export type ClaimAction = 'approve' | 'reject' | 'settle' | 'recovered'

export function claimAction(id: string, action: ClaimAction, version: number, reason = ''): Promise<Claim> {
  return request<Claim>(`/api/v1/subsidy-claims/${id}/${action}`, { method: 'POST', data: { version, reason } })
}

/** generateClaims builds the job-seeking or workshop claim list of a policy. */
export function generateClaims(policyId: string, employerId = ''): Promise<Generated> {
  return request<Generated>(`/api/v1/subsidy-policies/${policyId}/generate`, {
    method: 'POST',
    data: employerId ? { employer_id: employerId } : {}
  })
}

/** settlementCheck runs the 定额预付 check: settles paid advances or moves them to the 追回 list; an advance never paid is, after its deadline, approved to be paid after the fact or lapses. */
export function settlementCheck(): Promise<SweepResult> {
  return request<SweepResult>('/api/v1/subsidy-claims/settlement-check', { method: 'POST', data: {} })
}
