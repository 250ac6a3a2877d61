// The 72-hour clock of a returnee's case (seed 002: 72小时内实现上岗). T0 is when the case
// opened; checkpoints at +24 h, +48 h and +72 h. The board colours each case by its stage.

export type Stage = 'first' | 'second' | 'third' | 'overdue' | 'closed'

export const HOUR = 3600 * 1000

export interface StageInfo {
  stage: Stage
  /** label names the stage in Chinese. */
  label: string
  /** remainingMs until T0+72h (negative once overdue). */
  remainingMs: number
  /** text is the countdown to show: "剩 47:59:59" or "已超时 3小时12分". */
  text: string
}

const LABELS: Record<Stage, string> = {
  first: '24小时内',
  second: '24–48小时',
  third: '48–72小时',
  overdue: '已超时',
  closed: '已结束'
}

function pad(n: number): string {
  return n < 10 ? `0${n}` : String(n)
}

/** formatCountdown writes a duration as HH:MM:SS (hours may exceed 24). */
export function formatCountdown(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000))
  return `${pad(Math.floor(s / 3600))}:${pad(Math.floor((s % 3600) / 60))}:${pad(s % 60)}`
}

/** formatOverdue writes how long past the deadline: "3小时12分" / "2天5小时". */
export function formatOverdue(ms: number): string {
  const m = Math.max(0, Math.floor(ms / 60000))
  const d = Math.floor(m / 1440)
  const h = Math.floor((m % 1440) / 60)
  if (d > 0) return `${d}天${h}小时`
  return `${h}小时${m % 60}分`
}

function toMs(t: string | number | Date): number {
  if (t instanceof Date) return t.getTime()
  if (typeof t === 'number') return t
  return new Date(t).getTime()
}

/**
 * caseStage places a case on the 72-hour clock at `now`: elapsed < 24 h is the first stage,
 * 24–48 h the second, 48–72 h the third, 72 h or more (or the server's overdue flag) overdue.
 * A closed case has no clock. dueAt defaults to openedAt + 72 h.
 */
export function caseStage(
  openedAt: string | number | Date,
  now: string | number | Date,
  opts: { dueAt?: string | number | Date | null; overdue?: boolean; closed?: boolean } = {}
): StageInfo {
  const t0 = toMs(openedAt)
  const due = opts.dueAt ? toMs(opts.dueAt) : t0 + 72 * HOUR
  const n = toMs(now)
  const remainingMs = due - n
  if (opts.closed) return { stage: 'closed', label: LABELS.closed, remainingMs, text: LABELS.closed }
  const elapsed = n - t0
  let stage: Stage
  if (opts.overdue || remainingMs <= 0) stage = 'overdue'
  else if (elapsed < 24 * HOUR) stage = 'first'
  else if (elapsed < 48 * HOUR) stage = 'second'
  else stage = 'third'
  const text = stage === 'overdue' ? `已超时 ${formatOverdue(-remainingMs)}` : `剩 ${formatCountdown(remainingMs)}`
  return { stage, label: LABELS[stage], remainingMs, text }
}
