// Dates travel as "YYYY-MM-DD" (and months as "YYYY-MM") in local time.

function pad(n: number): string {
  return n < 10 ? `0${n}` : String(n)
}

export function today(): string {
  const d = new Date()
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`
}

export function thisMonth(): string {
  return today().slice(0, 7)
}

/** showDate turns "2026-11-20" (or an RFC 3339 time) into "2026年11月20日". */
export function showDate(s: string | null | undefined): string {
  if (!s) return ''
  const m = /^(\d{4})-(\d{2})(?:-(\d{2}))?/.exec(s)
  if (!m) return s
  if (!m[3]) return `${m[1]}年${Number(m[2])}月`
  return `${m[1]}年${Number(m[2])}月${Number(m[3])}日`
}
