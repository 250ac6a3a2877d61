import { query, request } from './request'
import type { Region } from '../types/api'

/** listRegions lists the children of parent, or the provinces without one. */
export async function listRegions(parent?: string): Promise<Region[]> {
  const res = await request<{ items: Region[] }>(`/api/v1/regions${query({ parent })}`)
  return res.items || []
}

export async function lookupRegion(name: string): Promise<Region[]> {
  const res = await request<{ items: Region[] }>(`/api/v1/regions/lookup${query({ name })}`)
  return res.items || []
}
