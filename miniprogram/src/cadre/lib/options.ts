// Single-choice groups of the collection form (seed 002 附件1). The server's /api/v1/options
// is preferred when it has the group; the generated copy serves a phone with no network.
import type { Option } from '../../types/api'
import { OFFLINE_OPTIONS } from '../../generated/options'

export const LOCAL_OPTIONS: Record<string, Option[]> = OFFLINE_OPTIONS

/** optionLabel finds a code's label in a group ('' when unknown). */
export function optionLabel(group: string, code: string, server?: Record<string, Option[] | undefined>): string {
  const list = (server && server[group]) || LOCAL_OPTIONS[group] || []
  const o = list.find((x) => x.code === code)
  return o ? o.label : code
}
