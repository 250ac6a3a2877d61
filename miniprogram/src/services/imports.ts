import { query, request } from './request'
import { download, pickFile, upload } from './files'
import type { ImportJob, ImportJobPage } from '../types/imports'

/** pickAndUpload lets the person choose a .xlsx/.csv and starts an import job (202). */
export async function pickAndUpload(): Promise<ImportJob | null> {
  const f = await pickFile('.xlsx,.csv')
  if (!f) return null
  return upload<ImportJob>('/api/v1/imports', f)
}

export function getImport(id: string): Promise<ImportJob> {
  return request<ImportJob>(`/api/v1/imports/${encodeURIComponent(id)}`)
}

export function listImports(page = 1): Promise<ImportJobPage> {
  return request<ImportJobPage>(`/api/v1/imports${query({ page, page_size: 10 })}`)
}

export function downloadErrors(job: ImportJob): Promise<string> {
  return download(job.errors_url || `/api/v1/imports/${encodeURIComponent(job.id)}/errors`, `导入错误-${job.file_name.replace(/\.\w+$/, '')}.xlsx`)
}

export function downloadTemplate(): Promise<string> {
  return download('/api/v1/imports/template', '台账导入模板.xlsx')
}

/** downloadChanges: the 异动 since the last export, as a spreadsheet for the national system. */
export function downloadChanges(): Promise<string> {
  return download('/api/v1/changes/export', '异动清单.xlsx')
}
