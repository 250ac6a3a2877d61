import { request } from './request'
import { saveMe } from './session'
import type { BindRequest, BindResult, Me, Report, StatusCard } from '../types/api'

export function getMyStatus(): Promise<StatusCard> {
  return request<StatusCard>('/api/v1/me/status')
}

export function submitReport(report: Report): Promise<StatusCard> {
  return request<StatusCard>('/api/v1/me/reports', { method: 'POST', data: report })
}

/** bindPhone sends the one-time code from the weapp getPhoneNumber button. */
export async function bindPhone(code: string): Promise<Me> {
  const me = await request<Me>('/api/v1/me/phone', { method: 'POST', data: { code } })
  saveMe(me)
  return me
}

export async function bindIdentity(body: BindRequest): Promise<BindResult> {
  const res = await request<BindResult>('/api/v1/me/bind', { method: 'POST', data: body })
  if (res && res.me) saveMe(res.me)
  return res
}
