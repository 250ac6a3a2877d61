// A stand-in for @tarojs/taro in unit tests: in-memory storage, spy-able request, and the
// lifecycle hooks run once on mount.
import { useEffect } from 'react'

const storage = new Map<string, any>()

export function resetStorage(): void {
  storage.clear()
}

export function useLoad(fn: (params: Record<string, string>) => void): void {
  useEffect(() => {
    fn({})
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [])
}

export function useDidShow(fn: () => void): void {
  useEffect(() => {
    fn()
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [])
}

export function useDidHide(_fn: () => void): void {}

export function usePullDownRefresh(_fn: () => void): void {}

export function useRouter() {
  return { params: {} as Record<string, string>, path: '' }
}

const Taro = {
  request(_opts: any): Promise<any> {
    return Promise.reject({ errMsg: 'request:fail no stub' })
  },
  getStorageSync(key: string): any {
    return storage.has(key) ? storage.get(key) : ''
  },
  setStorageSync(key: string, value: any): void {
    storage.set(key, value)
  },
  removeStorageSync(key: string): void {
    storage.delete(key)
  },
  showToast(_opts: any): Promise<void> {
    return Promise.resolve()
  },
  navigateTo(_opts: any): Promise<void> {
    return Promise.resolve()
  },
  navigateBack(_opts?: any): Promise<void> {
    return Promise.resolve()
  },
  reLaunch(_opts: any): Promise<void> {
    return Promise.resolve()
  },
  login(): Promise<{ code: string }> {
    return Promise.resolve({ code: 'test-code' })
  },
  pageScrollTo(_opts: any): Promise<void> {
    return Promise.resolve()
  },
  getCurrentPages(): any[] {
    return []
  },
  stopPullDownRefresh(): void {},
  showModal(_opts: any): Promise<{ confirm: boolean }> {
    return Promise.resolve({ confirm: true })
  },
  useLoad,
  useDidShow,
  useDidHide,
  usePullDownRefresh,
  useRouter
}

export default Taro
