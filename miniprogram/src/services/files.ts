// Files to and from the API in the browser (H5): downloads are fetched with the Bearer token
// and saved from a blob (a plain link would carry no token); uploads pick a file with an
// <input type=file> and POST it as multipart. See files.weapp.ts for WeChat.
import { API_BASE } from './config'
import { parseHttpError, parseNetworkError, withAuthRetry } from './request'

interface Raw {
  statusCode: number
  data?: any
  blob?: Blob
  headers?: Headers
}

async function fetchRaw(path: string, init: RequestInit, token: string): Promise<Raw> {
  const headers = new Headers(init.headers || {})
  if (token) headers.set('Authorization', `Bearer ${token}`)
  let res: Response
  try {
    res = await fetch(API_BASE + path, { ...init, headers })
  } catch (e) {
    throw parseNetworkError(e)
  }
  const type = res.headers.get('content-type') || ''
  if (res.ok && !type.includes('application/json')) return { statusCode: res.status, blob: await res.blob(), headers: res.headers }
  const text = await res.text()
  let data: any = text
  try {
    data = text ? JSON.parse(text) : null
  } catch {
    // not JSON
  }
  return { statusCode: res.status, data, headers: res.headers }
}

/** fileNameOf reads the file name from Content-Disposition (RFC 5987 filename* first). */
export function fileNameOf(disposition: string | null, fallback: string): string {
  if (!disposition) return fallback
  const star = /filename\*\s*=\s*(?:UTF-8'')?([^;]+)/i.exec(disposition)
  if (star) {
    try {
      return decodeURIComponent(star[1].trim().replace(/^"|"$/g, ''))
    } catch {
      // fall through
    }
  }
  const plain = /filename\s*=\s*"?([^";]+)"?/i.exec(disposition)
  return plain ? plain[1] : fallback
}

/** download fetches a file with the session's token and saves it under its own name. */
export async function download(path: string, fallbackName: string): Promise<string> {
  const res = await withAuthRetry((token) => fetchRaw(path, { method: 'GET' }, token))
  if (res.statusCode < 200 || res.statusCode >= 300 || !res.blob) throw parseHttpError(res.statusCode, res.data)
  const name = fileNameOf(res.headers ? res.headers.get('content-disposition') : null, fallbackName)
  const url = URL.createObjectURL(res.blob)
  const a = document.createElement('a')
  a.href = url
  a.download = name
  a.style.display = 'none'
  document.body.appendChild(a)
  a.click()
  setTimeout(() => {
    URL.revokeObjectURL(url)
    a.remove()
  }, 1000)
  return name
}

export interface PickedFile {
  name: string
  size: number
  file: File
}

/** pickFile opens the browser's file chooser; resolves null when nothing was chosen. */
export function pickFile(accept: string): Promise<PickedFile | null> {
  return new Promise((resolve) => {
    const input = document.createElement('input')
    input.type = 'file'
    input.accept = accept
    input.style.display = 'none'
    input.setAttribute('data-testid', 'file-input')
    document.body.appendChild(input)
    input.addEventListener('change', () => {
      const f = input.files && input.files[0]
      input.remove()
      resolve(f ? { name: f.name, size: f.size, file: f } : null)
    })
    input.click()
  })
}

/** upload POSTs one file as multipart/form-data (field "file") and decodes the JSON answer. */
export async function upload<T>(path: string, picked: PickedFile): Promise<T> {
  const res = await withAuthRetry((token) => {
    const body = new FormData()
    body.append('file', picked.file, picked.name)
    return fetchRaw(path, { method: 'POST', body, headers: { Accept: 'application/json' } }, token)
  })
  if (res.statusCode < 200 || res.statusCode >= 300) throw parseHttpError(res.statusCode, res.data)
  return res.data as T
}
