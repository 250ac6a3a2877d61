import type { CurrentKind, CurrentStatus, ReportKind, Role } from '../types/api'

// Labels the client needs before (or without) the server's own *_label fields.

export const ROLE_LABELS: Record<Role, string> = {
  worker: '务工人员',
  cadre: '村干部',
  taskforce: '县专班',
  official: '主管部门',
  employer: '用人单位',
  admin: '系统管理员'
}

export function roleLabel(role: string, serverLabel?: string): string {
  return serverLabel || ROLE_LABELS[role as Role] || role
}

export const CURRENT_KIND_LABELS: Record<CurrentKind, string> = {
  working: '在岗务工',
  returned: '失业返乡',
  plan_out: '想外出务工',
  no_plan: '暂不外出',
  unknown: '还没有报告情况'
}

/** statusLabel prefers the server's label and falls back to the kind's own. */
export function statusLabel(current: Pick<CurrentStatus, 'kind' | 'label'> | null | undefined): string {
  if (!current) return CURRENT_KIND_LABELS.unknown
  if (current.label) return current.label
  return CURRENT_KIND_LABELS[current.kind] || CURRENT_KIND_LABELS.unknown
}

/** statusTone picks the card colour for a kind. */
export function statusTone(kind: string | undefined): 'green' | 'orange' | 'blue' | 'grey' {
  switch (kind) {
    case 'working':
      return 'green'
    case 'returned':
      return 'orange'
    case 'plan_out':
      return 'blue'
    default:
      return 'grey'
  }
}

/** reviewTag is the small tag beside a self-reported status not yet checked by a cadre. */
export function reviewTag(current: Pick<CurrentStatus, 'self_reported' | 'review' | 'review_label'> | null | undefined): string {
  if (!current || !current.self_reported || current.review !== 'pending') return ''
  return current.review_label || '待核实'
}

export interface ReportButton {
  kind: ReportKind
  label: string
  icon: string
  tone: 'green' | 'blue' | 'orange' | 'purple' | 'grey'
}

/** REPORT_BUTTONS are the worker's five status reports, in the order shown. */
export const REPORT_BUTTONS: ReportButton[] = [
  { kind: 'still_working', label: '在岗', icon: '✅', tone: 'green' },
  { kind: 'new_job', label: '换了工作', icon: '🔄', tone: 'blue' },
  { kind: 'returned', label: '失业返乡', icon: '🏠', tone: 'orange' },
  { kind: 'plan_out', label: '想外出', icon: '🚌', tone: 'purple' },
  { kind: 'no_plan', label: '暂不外出', icon: '⏸️', tone: 'grey' }
]

export const RECORD_STATUS_LABELS: Record<string, string> = {
  pending: '待确认',
  active: '已入库',
  rejected: '已退回'
}

export function recordStatusLabel(status: string): string {
  return RECORD_STATUS_LABELS[status] || status || ''
}

/** canSeeLedger: roles that open the 劳动力台账. */
export function canSeeLedger(role: string): boolean {
  return role === 'cadre' || role === 'taskforce' || role === 'official' || role === 'admin'
}

/** canApprove: roles that confirm a pending record into the ledger (确认入库). */
export function canApprove(role: string): boolean {
  return role === 'cadre' || role === 'taskforce'
}

export function yuan(n: number | null | undefined): string {
  if (n === null || n === undefined || Number.isNaN(n)) return ''
  return `${n} 元/月`
}

export function yesNo(b: boolean | null | undefined): string {
  return b ? '有' : '没有'
}
