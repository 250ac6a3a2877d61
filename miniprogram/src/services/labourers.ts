import { query, request } from './request'
import type { LabourerDetail, LabourerListItem, Page, StatusCard } from '../types/api'

export interface LabourerQuery {
  page?: number
  page_size?: number
  q?: string
  region?: string
}

export function listLabourers(params: LabourerQuery): Promise<Page<LabourerListItem>> {
  return request<Page<LabourerListItem>>(
    `/api/v1/labourers${query({ page: params.page, page_size: params.page_size, q: params.q, region: params.region })}`
  )
}

export function getLabourer(id: string): Promise<LabourerDetail> {
  return request<LabourerDetail>(`/api/v1/labourers/${encodeURIComponent(id)}`)
}

export function getLabourerStatus(id: string): Promise<StatusCard> {
  return request<StatusCard>(`/api/v1/labourers/${encodeURIComponent(id)}/status`)
}

export function approveLabourer(id: string): Promise<LabourerDetail> {
  return request<LabourerDetail>(`/api/v1/labourers/${encodeURIComponent(id)}/approve`, { method: 'POST' })
}
