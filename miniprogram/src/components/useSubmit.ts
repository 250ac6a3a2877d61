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
    scrollToError()
  }

  async function run<T>(fn: () => Promise<T>): Promise<Outcome<T>> {
    setBusy(true)
    setFormError('')
    setFieldErrors({})
    try {
      return { ok: true, value: await fn() }
    } catch (e) {
      if (e instanceof ApiError) setFieldErrors(e.fieldMessages())
      setFormError(errorMessage(e))
      scrollToError()
      return { ok: false, error: e }
    } finally {
      setBusy(false)
    }
  }

  return { busy, fieldErrors, setFieldErrors, formError, setFormError, fail, run }
}

/** scrollToError brings the first red message into view once it has rendered. */
function scrollToError() {
  setTimeout(() => {
    Promise.resolve(Taro.pageScrollTo({ selector: '.field-error, .error-banner', duration: 200, offsetTop: -80 } as any)).catch(() => undefined)
  }, 50)
}
