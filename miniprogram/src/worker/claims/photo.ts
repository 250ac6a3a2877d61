// Reading a chosen photo as a data URL in the browser (H5): the temp path is a blob: URL.
// See photo.weapp.ts for WeChat.
import Taro from '@tarojs/taro'

export const MAX_TICKET_BYTES = 300 * 1024

export interface Photo {
  dataUrl: string
  size: number
}

/** choosePhoto lets the worker take or pick one photo; null when they cancel. */
export async function choosePhoto(): Promise<Photo | null> {
  let r: any
  try {
    r = await Taro.chooseImage({ count: 1, sizeType: ['compressed'], sourceType: ['camera', 'album'] })
  } catch {
    return null
  }
  const path = r && r.tempFilePaths && r.tempFilePaths[0]
  if (!path) return null
  const blob = await (await fetch(path)).blob()
  const dataUrl = await new Promise<string>((resolve, reject) => {
    const fr = new FileReader()
    fr.onload = () => resolve(String(fr.result))
    fr.onerror = () => reject(fr.error)
    fr.readAsDataURL(blob)
  })
  return { dataUrl, size: blob.size }
}
