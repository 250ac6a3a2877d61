// Small display helpers for jobs.

export function wageText(min: number, max: number): string {
  if (!min && !max) return '面议'
  if (min === max || !max) return `${min}元/月`
  return `${min}–${max}元/月`
}

/** perkLabels lists what the job provides: 包住, 包吃, 点对点输送. */
export function perkLabels(j: { housing?: boolean; meals?: boolean; transport?: boolean }): string[] {
  const out: string[] = []
  if (j.housing && j.meals) out.push('包吃住')
  else if (j.housing) out.push('包住')
  else if (j.meals) out.push('包吃')
  if (j.transport) out.push('点对点输送')
  return out
}

/** shortPlace drops the province from a long place path for a card ("江苏省 苏州市 昆山市" → "苏州市 昆山市"). */
export function shortPlace(name: string): string {
  const parts = (name || '').split(/\s+/).filter(Boolean)
  return parts.length > 2 ? parts.slice(-2).join(' ') : parts.join(' ')
}

/** maskName hides the middle of a name for an employer's candidate list: 马小军 → 马*军, 马军 → 马*. */
export function maskName(name: string): string {
  const chars = Array.from((name || '').trim())
  if (chars.length <= 1) return chars.join('')
  if (chars.length === 2) return `${chars[0]}*`
  return chars[0] + '*'.repeat(chars.length - 2) + chars[chars.length - 1]
}
