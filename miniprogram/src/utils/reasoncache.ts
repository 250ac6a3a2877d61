import type { MatchReason } from '../types/jobs'

// The feed knows why each job was recommended; the detail page (reached by a tap) shows the
// same reasons without asking the server again. Kept in memory for the app run only.
const reasons = new Map<string, MatchReason[]>()

export function rememberReasons(jobId: string, list: MatchReason[] | undefined): void {
  if (list && list.length) reasons.set(jobId, list)
}

export function reasonsFor(jobId: string): MatchReason[] {
  return reasons.get(jobId) || []
}
