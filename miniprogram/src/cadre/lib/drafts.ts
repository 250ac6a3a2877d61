// Offline drafts of the collection form. Every change is written to Taro storage at once, so
// a draft survives closing the mini-program or reloading the browser. A draft carries the
// idempotency key of its submission: it is made once and kept for every resend, so a request
// whose answer was lost and is sent again never makes a second form on the server.
import Taro from '@tarojs/taro'
import type { ContactAttempt, Conflict, FormPerson, FormValues, SubmitResult, SyncState, VisitProof } from '../../types/verify'
import { ApiError } from '../../services/request'
import { getMe } from '../../services/session'

export interface Draft {
  labourer_id: string
  person: FormPerson
  values: FormValues
  /** base_version: the ledger version the values were prefilled at (or taken from a conflict). */
  base_version: number
  proof: VisitProof
  attempts: ContactAttempt[]
  idempotency_key: string
  sync: SyncState
  created_at: string
  updated_at: string
  /** sent_at: last time a submission was tried. */
  sent_at?: string
  form_id?: string
  /** last_error: the reason the last try did not go through, for the badge and banner. */
  last_error?: string
  /** field_errors: the server's field errors of the last try, kept across reloads. */
  field_errors?: Record<string, string>
  conflict?: Conflict | null
}

export const SYNC_LABELS: Record<SyncState, string> = {
  draft: '草稿',
  pending: '待上传',
  submitted: '已提交',
  conflict: '冲突'
}

const PREFIX = 'jyb.drafts.'

function storageKey(): string {
  const me = getMe()
  return PREFIX + (me ? me.id : 'anon')
}

function nowISO(): string {
  return new Date().toISOString()
}

/** newIdempotencyKey makes a random UUID v4. */
export function newIdempotencyKey(): string {
  const bytes = new Uint8Array(16)
  const c: any = typeof globalThis !== 'undefined' ? (globalThis as any).crypto : undefined
  if (c && typeof c.getRandomValues === 'function') c.getRandomValues(bytes)
  else for (let i = 0; i < 16; i++) bytes[i] = Math.floor(Math.random() * 256)
  bytes[6] = (bytes[6] & 0x0f) | 0x40
  bytes[8] = (bytes[8] & 0x3f) | 0x80
  const h = Array.from(bytes, (b) => (b < 16 ? '0' : '') + b.toString(16)).join('')
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`
}

function readAll(): Record<string, Draft> {
  const raw = Taro.getStorageSync(storageKey())
  if (!raw) return {}
  if (typeof raw === 'object') return raw as Record<string, Draft>
  try {
    const v = JSON.parse(raw)
    return v && typeof v === 'object' ? v : {}
  } catch {
    return {}
  }
}

function writeAll(all: Record<string, Draft>): void {
  Taro.setStorageSync(storageKey(), JSON.stringify(all))
}

/** listDrafts: newest change first. */
export function listDrafts(): Draft[] {
  return Object.values(readAll()).sort((a, b) => (a.updated_at < b.updated_at ? 1 : -1))
}

export function getDraft(labourerId: string): Draft | null {
  return readAll()[labourerId] || null
}

export function putDraft(d: Draft): Draft {
  const all = readAll()
  all[d.labourer_id] = d
  writeAll(all)
  return d
}

export function removeDraft(labourerId: string): void {
  const all = readAll()
  delete all[labourerId]
  writeAll(all)
}

/** createDraft starts a draft from the server's prefill. */
export function createDraft(person: FormPerson, values: FormValues, baseVersion: number): Draft {
  const t = nowISO()
  return putDraft({
    labourer_id: person.labourer_id,
    person,
    values,
    base_version: baseVersion,
    proof: { visited_at: t, method: 'visit', confirm_method: 'signature', location: null, location_note: '', signature: '' },
    attempts: [],
    idempotency_key: newIdempotencyKey(),
    sync: 'draft',
    created_at: t,
    updated_at: t,
    conflict: null
  })
}

/**
 * editDraft saves a change. Changing a form that was waiting to upload (or already submitted)
 * makes it a new submission: it goes back to 草稿 with a new idempotency key, because the
 * old key names the content that was sent.
 */
export function editDraft(labourerId: string, change: Partial<Pick<Draft, 'values' | 'proof' | 'attempts'>>): Draft | null {
  const d = getDraft(labourerId)
  if (!d) return null
  const next: Draft = { ...d, ...change, updated_at: nowISO() }
  if (d.sync === 'pending' || d.sync === 'submitted') {
    next.sync = 'draft'
    next.idempotency_key = newIdempotencyKey()
    next.form_id = undefined
  }
  return putDraft(next)
}

/** Payload is what a submission sends. */
export interface SendInput {
  labourer_id: string
  idempotency_key: string
  base_version: number
  values: FormValues
  proof: VisitProof
  attempts: ContactAttempt[]
}

/** isConflict: the server refused because the ledger changed since the prefill. */
export function isConflict(e: unknown): e is ApiError {
  return e instanceof ApiError && e.status === 409 && (e.code === 'ledger_changed' || e.code === 'conflict' || e.code === 'version_conflict')
}

/** retryable: worth sending again later with the same key (no network, server trouble). */
export function retryable(e: unknown): boolean {
  if (!(e instanceof ApiError)) return true
  return e.status === 0 || e.status === 408 || e.status === 429 || e.status >= 500
}

/**
 * submitDraft sends a draft once with its own idempotency key and records the outcome:
 * 已提交 on success, 待上传 when it could not get through (same key next time), 冲突 on
 * 409 ledger_changed (with both versions), back to 草稿 with field errors on a 400.
 */
export function submitDraft(
  labourerId: string,
  send: (input: SendInput) => Promise<SubmitResult>,
  toConflict: (e: ApiError, d: Draft) => Conflict | null
): Promise<Draft> {
  // One send per draft at a time: a tap during an automatic retry joins it.
  const running = inFlight.get(labourerId)
  if (running) return running
  const p = sendOnce(labourerId, send, toConflict).finally(() => inFlight.delete(labourerId))
  inFlight.set(labourerId, p)
  return p
}

const inFlight = new Map<string, Promise<Draft>>()

async function sendOnce(
  labourerId: string,
  send: (input: SendInput) => Promise<SubmitResult>,
  toConflict: (e: ApiError, d: Draft) => Conflict | null
): Promise<Draft> {
  const d = getDraft(labourerId)
  if (!d) throw new Error('draft not found')
  if (d.sync === 'submitted') return d
  const key = d.idempotency_key || newIdempotencyKey()
  putDraft({ ...d, idempotency_key: key, sent_at: nowISO() })
  try {
    const res = await send({
      labourer_id: d.labourer_id,
      idempotency_key: key,
      base_version: d.base_version,
      values: d.values,
      proof: d.proof,
      attempts: d.attempts
    })
    const cur = getDraft(labourerId) || d
    return putDraft({ ...cur, idempotency_key: key, sync: 'submitted', form_id: res && res.id ? String(res.id) : cur.form_id, last_error: '', field_errors: {}, conflict: null, updated_at: nowISO() })
  } catch (e) {
    const cur = getDraft(labourerId) || d
    const message = e instanceof ApiError ? e.message : '出了点问题，请再试一次'
    if (isConflict(e)) {
      return putDraft({ ...cur, sync: 'conflict', conflict: toConflict(e, cur), last_error: message, updated_at: nowISO() })
    }
    if (retryable(e)) {
      return putDraft({ ...cur, idempotency_key: key, sync: 'pending', last_error: message, updated_at: nowISO() })
    }
    const fields = e instanceof ApiError ? e.fieldMessages() : {}
    // Refused as it stands (a fill rule, a bad value): the cadre corrects it; the content will
    // change, so the next submission gets a new key.
    return putDraft({ ...cur, sync: 'draft', idempotency_key: newIdempotencyKey(), last_error: message, field_errors: fields, updated_at: nowISO() })
  }
}

/**
 * resolveConflict takes the values the cadre settled on and the ledger's version, and makes
 * the draft ready to send again (a new submission, so a new key).
 */
export function resolveConflict(labourerId: string, values: FormValues): Draft | null {
  const d = getDraft(labourerId)
  if (!d || !d.conflict) return d
  return putDraft({
    ...d,
    values,
    base_version: d.conflict.server_version,
    conflict: null,
    sync: 'draft',
    idempotency_key: newIdempotencyKey(),
    last_error: '',
    updated_at: nowISO()
  })
}

/** pendingDrafts: drafts waiting for the network. */
export function pendingDrafts(): Draft[] {
  return listDrafts().filter((d) => d.sync === 'pending')
}
