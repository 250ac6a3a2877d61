import { request } from './request'
import type { Option, OptionGroup, Options } from '../types/api'

let cached: Promise<Options> | null = null

/** getOptions loads the option lists once per app run. */
export function getOptions(): Promise<Options> {
  if (!cached) {
    cached = request<Options>('/api/v1/options').catch((e) => {
      cached = null
      throw e
    })
  }
  return cached
}

export async function getOptionGroup(group: OptionGroup): Promise<Option[]> {
  const all = await getOptions()
  return all[group] || []
}
