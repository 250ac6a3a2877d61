// Verification API (issue 3): prefill, submit, contact attempts, tasks, households, the
// review queue and completion. One function per endpoint; the conversion between the phone's
// FormValues (numbers typed as strings) and the server's body lives here and nowhere else.
import { ApiError, query, request } from './request'
import type {
  BatchResult,
  Completion,
  Conflict,
  ContactAttempt,
  FormValues,
  FormView,
  Household,
  Prefill,
  ReviewItem,
  SubmitResult,
  TaskList,
  TaskTab,
  VisitProof
} from '../types/verify'
import type { SendInput } from '../cadre/lib/drafts'
import { emptyValues, reachable, visibleSections } from '../cadre/lib/rules'

function num(s: string | undefined | null): number | null {
  if (s === undefined || s === null || String(s).trim() === '') return null
  const n = Number(String(s).trim())
  return Number.isFinite(n) ? n : null
}

function str(n: unknown): string {
  return n === null || n === undefined ? '' : String(n)
}

/**
 * toServer turns the phone's values into the API's form body. Sections the answers do not
 * call for are sent as null and answers that depend on another are dropped with it: the
 * server refuses them ("not_allowed"), both ways, as the fill rules say.
 */
export function toServer(v: FormValues): any {
  const { place_name: _pn, ...employment } = v.employment
  const { dest_name: _dn, ...notOut } = v.not_out
  const { prev_place_name: _ppn, ...ret } = v.return
  if (!reachable(v)) return { verification: 'unreachable', basic: v.basic, working: null }
  const shown = visibleSections(v)
  const exited = v.basic.state === 'temp_exit' || v.basic.state === 'perm_exit'
  const items: Record<string, number> = {}
  for (const [k, c] of Object.entries(v.services.items || {})) {
    const n = num(c)
    if (n !== null && n > 0) items[k] = n
  }
  const e = employment
  const n = notOut
  return {
    verification: v.verification,
    basic: {
      ...v.basic,
      state_reason: exited ? v.basic.state_reason : '',
      graduation_date: v.basic.two_after ? v.basic.graduation_date : ''
    },
    working: v.working,
    work_year: {
      start_year: v.work_year.start_year,
      months: v.work_year.months,
      months_worked: num(v.work_year.months_worked),
      income: num(v.work_year.income),
      flexible_days: num(v.work_year.flexible_days)
    },
    employment: shown.has('employment')
      ? {
          ...e,
          form_other: e.form === 'other' ? e.form_other : '',
          industry_other: e.industry === 'other' ? e.industry_other : '',
          assisted_month: e.assisted ? e.assisted_month : '',
          wage: num(e.wage),
          organised: e.organised || 'none'
        }
      : null,
    not_out: shown.has('not_out')
      ? {
          type: n.type,
          lost_job_date: n.type === 'lost_job' ? n.lost_job_date : '',
          has_plan: n.has_plan,
          no_plan_reason: n.has_plan === false ? n.no_plan_reason : '',
          no_plan_other: n.has_plan === false && n.no_plan_reason === 'other' ? n.no_plan_other : '',
          dest_code: n.has_plan ? n.dest_code : '',
          planned_month: n.has_plan ? n.planned_month : '',
          job: n.has_plan ? n.job : '',
          expected_wage: n.has_plan ? num(n.expected_wage) : null
        }
      : null,
    return: ret.returned ? ret : { returned: ret.returned, reason: '', prev_place_code: '', return_date: '' },
    training: v.training.wish === null ? null : v.training.wish ? v.training : { wish: false, category: '', job: '', month: '' },
    services: v.services.none ? { none: true, items: {} } : { none: false, items }
  }
}

/** fromServer fills FormValues from the API's form body, with empty answers where it has none. */
export function fromServer(raw: any): FormValues {
  const e = emptyValues()
  if (!raw || typeof raw !== 'object') return e
  const items: Record<string, string> = {}
  const ri = (raw.services && raw.services.items) || {}
  for (const k of Object.keys(ri)) items[k] = str(ri[k])
  const wy = raw.work_year || {}
  return {
    verification: raw.verification === 'unreachable' ? 'unreachable' : 'verified',
    basic: { ...e.basic, ...(raw.basic || {}), ...pickKnown(raw.basic, e.basic) },
    working: raw.working === true || raw.working === false ? raw.working : null,
    work_year: {
      start_year: Number(wy.start_year) || e.work_year.start_year,
      months: Array.isArray(wy.months) ? wy.months : [],
      months_worked: str(wy.months_worked),
      income: str(wy.income),
      flexible_days: str(wy.flexible_days)
    },
    employment: { ...e.employment, ...pickKnown(raw.employment, e.employment), wage: str(raw.employment && raw.employment.wage) },
    not_out: { ...e.not_out, ...pickKnown(raw.not_out, e.not_out), expected_wage: str(raw.not_out && raw.not_out.expected_wage) },
    return: { ...e.return, ...pickKnown(raw.return, e.return) },
    training: { ...e.training, ...pickKnown(raw.training, e.training) },
    services: { none: !!(raw.services && raw.services.none), items }
  }
}

/** pickKnown copies the scalar keys of `shape` from raw (null for an unanswered yes/no). */
function pickKnown(raw: any, shape: any): any {
  const out: any = {}
  if (!raw || typeof raw !== 'object') return out
  for (const k of Object.keys(shape)) {
    if (!(k in raw)) continue
    const v = raw[k]
    if (typeof shape[k] === 'object' && shape[k] !== null) continue
    if (shape[k] === null) out[k] = v === true || v === false ? v : null
    else out[k] = v === null || v === undefined ? '' : typeof v === 'string' ? v : String(v)
  }
  return out
}

/** getPrefill: GET /labourers/{id}/form — the form filled from the ledger, and its version. */
export async function getPrefill(labourerId: string): Promise<Prefill> {
  const raw = await request<any>(`/api/v1/labourers/${encodeURIComponent(labourerId)}/form`)
  const lab = raw.labourer || {}
  const form = raw.form || {}
  const basic = form.basic || {}
  return {
    person: {
      labourer_id: String(lab.id || labourerId),
      name: lab.name || basic.name || '',
      id_masked: lab.id_masked || basic.id_masked || '',
      phone_masked: lab.phone_masked || basic.phone_masked || '',
      region_path: lab.village_name || '',
      ethnicity: basic.ethnicity || ''
    },
    values: fromServer(form),
    base_version: Number(raw.base_version) || 0
  }
}

function proofBody(p: VisitProof, attempts: ContactAttempt[], unreachable: boolean) {
  if (unreachable) return { visited_at: p.visited_at, method: p.method, attempts, photos: [] }
  return {
    visited_at: p.visited_at,
    method: p.method,
    location: p.location ? { lat: p.location.latitude, lng: p.location.longitude, accuracy: p.location.accuracy || 0 } : null,
    confirm_method: p.confirm_method,
    signature: p.confirm_method === 'signature' ? p.signature : '',
    photos: []
  }
}

/** submitForm: POST /forms; the idempotency key makes a resend answer with the first form. */
export function submitForm(input: SendInput): Promise<SubmitResult> {
  return request<SubmitResult>('/api/v1/forms', {
    method: 'POST',
    data: {
      labourer_id: input.labourer_id,
      idempotency_key: input.idempotency_key,
      base_version: input.base_version,
      form: toServer(input.values),
      proof: proofBody(input.proof, input.attempts, !reachable(input.values))
    }
  })
}

/** conflictFrom reads the two versions out of a 409 ledger_changed answer (error.data). */
export function conflictFrom(e: ApiError, baseVersion: number): Conflict | null {
  const b = e.body || {}
  const err = b.error || {}
  const d = err.data || b.data || err
  const cur = d.current || d.Current
  const ver = d.current_version ?? d.CurrentVersion
  if (!cur) return null
  return { theirs: fromServer(cur), server_version: Number(ver) || 0, base_version: baseVersion }
}

export function getTasks(tab: TaskTab | '', month?: string, page = 1): Promise<TaskList> {
  return request<TaskList>(`/api/v1/verify/tasks${query({ filter: tab, month, page, page_size: 100 })}`)
}

export function getHousehold(id: string): Promise<Household> {
  return request<Household>(`/api/v1/households/${encodeURIComponent(id)}`)
}

export function getReviewQueue(page = 1, pageSize = 100): Promise<{ items: ReviewItem[]; total: number }> {
  return request(`/api/v1/reviews${query({ page, page_size: pageSize })}`)
}

export function getForm(id: string): Promise<FormView> {
  return request<FormView>(`/api/v1/forms/${encodeURIComponent(id)}`)
}

export interface ReviewRef {
  id: string
  kind: string
}

/** decide confirms or rejects items in one batch (the server answers per item). */
export function decide(items: ReviewRef[], decision: 'confirm' | 'reject', reason = ''): Promise<BatchResult> {
  return request<BatchResult>('/api/v1/reviews/batch', { method: 'POST', data: { items, decision, reason } })
}

export function getCompletion(month?: string): Promise<Completion> {
  return request<Completion>(`/api/v1/verify/completion${query({ month })}`)
}
