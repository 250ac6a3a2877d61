// The phone's location for the proof of a visit (weapp: Taro.getLocation, gcj02 as WeChat
// maps use). See location.ts for H5.
import Taro from '@tarojs/taro'
import type { GeoPoint } from '../types/verify'

export type LocationResult = { ok: true; point: GeoPoint } | { ok: false; reason: string }

export async function locate(_timeoutMs = 10000): Promise<LocationResult> {
  try {
    const r = await Taro.getLocation({ type: 'gcj02', isHighAccuracy: true } as any)
    return { ok: true, point: { latitude: r.latitude, longitude: r.longitude, accuracy: r.accuracy } }
  } catch (e: any) {
    const msg = (e && e.errMsg) || ''
    return { ok: false, reason: /auth|deny|denied/i.test(msg) ? '没有允许定位' : '定位没有成功' }
  }
}
