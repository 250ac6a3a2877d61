// Types of the registry import and 异动 export API.

export interface ImportJob {
  id: string
  file_name: string
  format: string
  size: number
  status: 'queued' | 'running' | 'done' | 'failed' | string
  status_label: string
  total_rows: number
  processed: number
  created: number
  updated: number
  unchanged: number
  bad: number
  message: string
  created_at: string
  started_at: string | null
  finished_at: string | null
  errors_url: string | null
}

export interface ImportJobPage {
  items: ImportJob[]
  total: number
  page: number
  page_size: number
}
