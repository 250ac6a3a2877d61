import type { DevAccount, Role } from '../types/api'

/** devTestIds gives the first demo account of each role its data-testid. */
export function devTestIds(accounts: DevAccount[]): Record<string, string> {
  const seen = new Set<Role>()
  const out: Record<string, string> = {}
  for (const a of accounts) {
    if (seen.has(a.role)) continue
    seen.add(a.role)
    out[a.id] = `dev-login-${a.role}`
  }
  return out
}
