import { getMe } from '../../services/session'

/** defaultCounty is the county the task force works for: its first county-level scope. */
export function defaultCounty(): string {
  const me = getMe()
  const s = me && me.scopes ? me.scopes.find((x) => x.code.length === 6) : undefined
  return s ? s.code : ''
}
