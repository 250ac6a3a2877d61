import { query, request } from './request'
import { download } from './files'
import type { ListScope } from './lists'
import type { ProvinceTable, RegionTable, Targets, Trend } from '../types/reports'

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
