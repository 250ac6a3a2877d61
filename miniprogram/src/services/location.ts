// The phone's location for the proof of a visit (H5: the browser's geolocation). See
// location.weapp.ts for WeChat.
import type { GeoPoint } from '../types/verify'

export type LocationResult = { ok: true; point: GeoPoint } | { ok: false; reason: string }

/** locate asks for the position once; a refusal or a timeout is an answer, not an error. */
export function locate(timeoutMs = 10000): Promise<LocationResult> {
  const geo = typeof navigator !== 'undefined' ? navigator.geolocation : undefined
  if (!geo) return Promise.resolve({ ok: false, reason: '这个浏览器不能定位' })
  return new Promise((resolve) => {
    geo.getCurrentPosition(
      (p) => resolve({ ok: true, point: { latitude: p.coords.latitude, longitude: p.coords.longitude, accuracy: p.coords.accuracy } }),
      (err) =>
        resolve({
          ok: false,
          reason: err && err.code === 1 ? '没有允许定位' : err && err.code === 3 ? '定位超时' : '定位没有成功'
        }),
      { enableHighAccuracy: true, timeout: timeoutMs, maximumAge: 60000 }
    )
  })
}
