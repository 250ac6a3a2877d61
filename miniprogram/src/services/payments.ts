// Public notices (公示), payment batches and bank accounts (api/payments.go).
import Taro from '@tarojs/taro'
import { API_BASE } from './config'
import { download } from './files'
import { parseHttpError, parseNetworkError, query, request, withAuthRetry } from './request'
import type {
  BankAccount,
  BankInput,
  Batch,
  BatchCreated,
  BatchDetail,
  BatchLine,
  Notice,
  NoticeDetail,
  Objection,
  Page
} from '../types/subsidies'

// ---- bank accounts ----

/** myBankAccount is the worker's own account (masked), or null when none is on file. */
export async function myBankAccount(): Promise<BankAccount | null> {
  try {
    return await request<BankAccount>('/api/v1/me/bank-account')
  } catch (e: any) {
    if (e && e.status === 404) return null
    throw e
  }
}

export function putMyBankAccount(input: BankInput): Promise<BankAccount> {
  return request<BankAccount>('/api/v1/me/bank-account', { method: 'PUT', data: input })
}

// ---- notices ----

export interface PublishInput {
  county_code: string
  title?: string
  days?: number
  claim_ids?: string[]
}

export function publishNotice(input: PublishInput): Promise<Notice> {
  return request<Notice>('/api/v1/notices', { method: 'POST', data: input })
}

export function listNotices(state = '', page = 1): Promise<Page<Notice>> {
  return request<Page<Notice>>(`/api/v1/notices${query({ state, page, page_size: 50 })}`)
}

export function getNotice(id: string): Promise<NoticeDetail> {
  return request<NoticeDetail>(`/api/v1/notices/${id}`)
}

/** closeNotice ends a notice whose period is over (409 notice_running before the end). */
export function closeNotice(id: string): Promise<Notice> {
  return request<Notice>(`/api/v1/notices/${id}/close`, { method: 'POST', data: {} })
}

export async function listObjections(noticeId: string): Promise<Objection[]> {
  const r = await request<{ items: Objection[] }>(`/api/v1/notices/${noticeId}/objections`)
  return r.items || []
}

export function lodgeObjection(noticeId: string, itemId: string, text: string, onBehalfOf = ''): Promise<Objection> {
  return request<Objection>(`/api/v1/notices/${noticeId}/objections`, {
    method: 'POST',
    data: { item_id: itemId, text, on_behalf_of: onBehalfOf }
  })
}

export function resolveObjection(id: string, resolution: 'upheld' | 'dismissed', note: string, version: number): Promise<Objection> {
  return request<Objection>(`/api/v1/objections/${id}/resolve`, { method: 'POST', data: { resolution, note, version } })
}

// ---- batches ----

export function createBatch(countyCode: string, title = '', claimIds: string[] = []): Promise<BatchCreated> {
  return request<BatchCreated>('/api/v1/batches', { method: 'POST', data: { county_code: countyCode, title, claim_ids: claimIds } })
}

export function listBatches(state = '', page = 1): Promise<Page<Batch>> {
  return request<Page<Batch>>(`/api/v1/batches${query({ state, page, page_size: 50 })}`)
}

export function getBatch(id: string): Promise<BatchDetail> {
  return request<BatchDetail>(`/api/v1/batches/${id}`)
}

export function batchLines(id: string, state = '', page = 1): Promise<Page<BatchLine>> {
  return request<Page<BatchLine>>(`/api/v1/batches/${id}/lines${query({ state, page, page_size: 500 })}`)
}

export function prepareBatch(id: string, version: number): Promise<BatchDetail> {
  return request<BatchDetail>(`/api/v1/batches/${id}/prepare`, { method: 'POST', data: { version } })
}

/** approveBatch is the checker's step; the maker's own approval is refused (409 same_account). */
/** cancelBatch withdraws a draft or prepared batch; its claims go back to wait for another batch. */
export function cancelBatch(id: string, version: number, reason: string): Promise<BatchDetail> {
  return request<BatchDetail>(`/api/v1/batches/${id}/cancel`, { method: 'POST', data: { version, reason } })
}

export function approveBatch(id: string, version: number, totpCode = ''): Promise<BatchDetail> {
  return request<BatchDetail>(`/api/v1/batches/${id}/approve`, { method: 'POST', data: { version, totp_code: totpCode } })
}

export type BankFormat = 'xlsx' | 'csv'

/**
 * exportBatch is the step approved → exported. The answer is the bank file itself; it is then
 * saved through the ordinary download (GET …/file, audited with the same purpose), which works
 * the same in the browser and in WeChat.
 */
export async function exportBatch(id: string, version: number, purpose: string, format: BankFormat = 'xlsx'): Promise<string> {
  const path = `/api/v1/batches/${id}/export`
  let res: any
  try {
    res = await withAuthRetry((token) =>
      Promise.resolve(
        Taro.request({
          url: API_BASE + path,
          method: 'POST',
          data: { version, format, purpose },
          header: {
            'Content-Type': 'application/json',
            Accept: 'application/json, application/octet-stream, */*',
            ...(token ? { Authorization: `Bearer ${token}` } : {})
          },
          dataType: 'text',
          responseType: 'text',
          timeout: 30000
        } as any)
      ) as Promise<{ statusCode: number; data?: any }>
    )
  } catch (e: any) {
    if (e && e.name === 'ApiError') throw e
    throw parseNetworkError(e)
  }
  if (res.statusCode < 200 || res.statusCode >= 300) throw parseHttpError(res.statusCode, res.data)
  return downloadBankFile(id, purpose, format)
}

/** downloadBankFile saves the bank file of an exported batch again (audited with its purpose). */
export function downloadBankFile(id: string, purpose: string, format: BankFormat = 'xlsx'): Promise<string> {
  return download(`/api/v1/batches/${id}/file${query({ format, purpose })}`, `发放批次${id}.${format}`)
}

export function markLine(batchId: string, lineId: string, result: 'paid' | 'failed', reason: string, version: number): Promise<BatchLine> {
  return request<BatchLine>(`/api/v1/batches/${batchId}/lines/${lineId}/mark`, {
    method: 'POST',
    data: { result, reason, version }
  })
}

export function reconcileBatch(id: string): Promise<BatchDetail> {
  return request<BatchDetail>(`/api/v1/batches/${id}/reconcile`, { method: 'POST', data: {} })
}
