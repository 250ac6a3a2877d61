import { query, request } from './request'
import { download } from './files'
import type { ListCode, ListPeople, ListRegions, ListsSummary } from '../types/lists'

export interface ListScope {
  region?: string
  year?: number
}

export function getListsSummary(s: ListScope): Promise<ListsSummary> {
  return request<ListsSummary>(`/api/v1/lists${query({ region: s.region, year: s.year })}`)
}

export function getListRegions(list: ListCode, s: ListScope): Promise<ListRegions> {
  return request<ListRegions>(`/api/v1/lists/${list}/regions${query({ region: s.region, year: s.year })}`)
}

export function getListPeople(list: ListCode, s: ListScope, page = 1, pageSize = 20): Promise<ListPeople> {
  return request<ListPeople>(`/api/v1/lists/${list}/people${query({ region: s.region, year: s.year, page, page_size: pageSize })}`)
}

/** exportList downloads the list as .xlsx with the session's token. */
export function exportList(list: ListCode, s: ListScope, name: string): Promise<string> {
  return download(`/api/v1/lists/${list}/export${query({ region: s.region, year: s.year })}`, `${name}.xlsx`)
}
