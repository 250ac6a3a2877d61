import Taro from '@tarojs/taro'
import type { Me } from '../types/api'

export const LOGIN_PAGE = '/pages/login/index'
export const BIND_PAGE = '/pages/bind/index'
export const ME_PAGE = '/pages/me/index'
export const WORKER_HOME = '/worker/home/index'
export const OFFICE_HOME = '/office/home/index'
export const EMPLOYER_HOME = '/employer/home/index'
export const JOBS_PAGE = '/worker/jobs/recommended'
export const INBOX_PAGE = '/worker/inbox/index'

/** homeFor is where an account lands after login. */
export function homeFor(me: Me): string {
  if (me.role === 'worker') {
    return me.binding_status === 'bound' ? WORKER_HOME : BIND_PAGE
  }
  if (me.role === 'employer') return EMPLOYER_HOME
  return OFFICE_HOME
}

export function goHome(me: Me): void {
  Taro.reLaunch({ url: homeFor(me) })
}

/** toLogin goes to the login page unless the person is already on it. */
export function toLogin(): void {
  const pages = Taro.getCurrentPages()
  const current = pages.length ? pages[pages.length - 1] : null
  if (current && current.route && current.route.indexOf('pages/login') >= 0) return
  Taro.reLaunch({ url: LOGIN_PAGE })
}
