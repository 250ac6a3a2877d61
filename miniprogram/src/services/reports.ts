import { query, request } from './request'
import { download } from './files'
import type { ListScope } from './lists'
import type { ProvinceTable, RegionTable, Target, Targets, Trend } from '../types/reports'

export function getRegionTable(s: ListScope): Promise<RegionTable> {
  return request<RegionTable>(`/api/v1/reports/regions${query({ region: s.region, year: s.year })}`)
}

export function getProvinceTable(s: ListScope): Promise<ProvinceTable> {
  return request<ProvinceTable>(`/api/v1/reports/provinces${query({ region: s.region, year: s.year })}`)
}

export function getTargets(s: ListScope): Promise<Targets> {
  return request<Targets>(`/api/v1/reports/targets${query({ region: s.region, year: s.year })}`)
}

export function getTrend(s: ListScope): Promise<Trend> {
  return request<Trend>(`/api/v1/reports/trend${query({ region: s.region, year: s.year })}`)
}

/** exportRegionTable downloads the region table (seed 000 附件's layout) as .xlsx. */
export function exportRegionTable(s: ListScope, name: string): Promise<string> {
  return download(`/api/v1/reports/regions/export${query({ region: s.region, year: s.year })}`, `${name}.xlsx`)
}

/** exportProvinceTable downloads the province table (seed 001 附件's layout) as .xlsx. */
export function exportProvinceTable(s: ListScope, name: string, unit: 'person' | 'wan' = 'person'): Promise<string> {
  return download(`/api/v1/reports/provinces/export${query({ region: s.region, year: s.year, unit })}`, `${name}.xlsx`)
}

export interface TargetInput {
  region: string
  year: number
  metric: string
  comparator: 'gt' | 'ge'
  value: number
  note?: string
}

/** setTarget creates or replaces a region's target for a year (task force: its county; admins). */
export function setTarget(t: TargetInput): Promise<Target> {
  return request<Target>('/api/v1/reports/targets', { method: 'PUT', data: t })
}
