import Taro from '@tarojs/taro'
import { useState } from 'react'
import { ApiError, errorMessage } from '../services/request'

export type Outcome<T> = { ok: true; value: T } | { ok: false; error: unknown }

/**
 * useSubmit runs one form submission: busy flag, the server's field errors keyed by field
 * name (shown in red under each field), and the form-level message.
 */
export function useSubmit() {
  const [busy, setBusy] = useState(false)
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({})
  const [formError, setFormError] = useState('')

  /** fail shows errors found before sending, and scrolls to the first one. */
  function fail(fields: Record<string, string>, message = '填写有误，请检查标红的项目') {
    setFieldErrors(fields)
    setFormError(message)
    scrollToError(Object.keys(fields).length > 0)
  }

  async function run<T>(fn: () => Promise<T>): Promise<Outcome<T>> {
    setBusy(true)
    setFormError('')
    setFieldErrors({})
    try {
      return { ok: true, value: await fn() }
    } catch (e) {
      const fields = e instanceof ApiError ? e.fieldMessages() : {}
      setFieldErrors(fields)
      setFormError(errorMessage(e))
      scrollToError(Object.keys(fields).length > 0)
      return { ok: false, error: e }
    } finally {
      setBusy(false)
    }
  }

  return { busy, fieldErrors, setFieldErrors, formError, setFormError, fail, run }
}

/** scrollToError brings the first red field message (or the form message) into view once rendered. */
function scrollToError(toField: boolean) {
  setTimeout(() => {
    const selector = toField ? '.field-error' : '.error-banner'
    Promise.resolve(Taro.pageScrollTo({ selector, duration: 200, offsetTop: -160 } as any)).catch(() => undefined)
  }, 50)
}
