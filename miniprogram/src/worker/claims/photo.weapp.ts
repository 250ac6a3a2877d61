// Reading a chosen photo as a data URL in WeChat: the file system manager reads base64.
import Taro from '@tarojs/taro'

export const MAX_TICKET_BYTES = 300 * 1024

export interface Photo {
  dataUrl: string
  size: number
}

export async function choosePhoto(): Promise<Photo | null> {
  let r: any
  try {
    r = await Taro.chooseImage({ count: 1, sizeType: ['compressed'], sourceType: ['camera', 'album'] })
  } catch {
    return null
  }
  const f = r && r.tempFiles && r.tempFiles[0]
  const path = (f && f.path) || (r && r.tempFilePaths && r.tempFilePaths[0])
  if (!path) return null
  const data = await new Promise<string>((resolve, reject) => {
    Taro.getFileSystemManager().readFile({
      filePath: path,
      encoding: 'base64',
      success: (res: any) => resolve(String(res.data)),
      fail: reject
    })
  })
  const mime = /\.png$/i.test(path) ? 'image/png' : 'image/jpeg'
  return { dataUrl: `data:${mime};base64,${data}`, size: (f && f.size) || Math.floor((data.length * 3) / 4) }
}
