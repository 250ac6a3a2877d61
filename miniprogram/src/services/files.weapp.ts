// Files to and from the API in WeChat: downloads go through Taro.downloadFile with the token
// and open in the document viewer (where the person can forward or save them); uploads pick
// a file sent in a chat (chooseMessageFile) and send it with Taro.uploadFile.
import Taro from '@tarojs/taro'
import { API_BASE } from './config'
import { parseHttpError, parseNetworkError, withAuthRetry } from './request'

export function fileNameOf(_disposition: string | null, fallback: string): string {
  return fallback
}

export async function download(path: string, fallbackName: string): Promise<string> {
  let res: any
  try {
    res = await withAuthRetry(async (token) => {
      const r: any = await Taro.downloadFile({ url: API_BASE + path, header: token ? { Authorization: `Bearer ${token}` } : {} })
      return { statusCode: r.statusCode, data: null, tempFilePath: r.tempFilePath }
    })
  } catch (e: any) {
    if (e && e.name === 'ApiError') throw e
    throw parseNetworkError(e)
  }
  if (res.statusCode < 200 || res.statusCode >= 300) throw parseHttpError(res.statusCode, null)
  const ext = /\.(\w+)$/.exec(fallbackName)
  await Taro.openDocument({ filePath: res.tempFilePath, fileType: (ext ? ext[1] : 'xlsx') as any, showMenu: true } as any)
  return fallbackName
}

export interface PickedFile {
  name: string
  size: number
  path: string
}

export async function pickFile(accept: string): Promise<PickedFile | null> {
  const extension = accept.split(',').map((s) => s.trim().replace(/^\./, '')).filter(Boolean)
  try {
    const r = await Taro.chooseMessageFile({ count: 1, type: 'file', extension } as any)
    const f = r.tempFiles[0]
    return f ? { name: f.name, size: f.size, path: f.path } : null
  } catch {
    return null
  }
}

export async function upload<T>(path: string, picked: PickedFile): Promise<T> {
  let res: any
  try {
    res = await withAuthRetry(async (token) => {
      const r: any = await Taro.uploadFile({
        url: API_BASE + path,
        filePath: picked.path,
        name: 'file',
        formData: { filename: picked.name },
        header: token ? { Authorization: `Bearer ${token}` } : {}
      })
      let data: any = r.data
      try {
        data = JSON.parse(r.data)
      } catch {
        // not JSON
      }
      return { statusCode: r.statusCode, data }
    })
  } catch (e: any) {
    if (e && e.name === 'ApiError') throw e
    throw parseNetworkError(e)
  }
  if (res.statusCode < 200 || res.statusCode >= 300) throw parseHttpError(res.statusCode, res.data)
  return res.data as T
}
