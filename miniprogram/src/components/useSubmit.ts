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

  async function run<T>(fn: () => Promise<T>): Promise<Outcome<T>> {
    setBusy(true)
    setFormError('')
    setFieldErrors({})
    try {
      return { ok: true, value: await fn() }
    } catch (e) {
      if (e instanceof ApiError) setFieldErrors(e.fieldMessages())
      setFormError(errorMessage(e))
      return { ok: false, error: e }
    } finally {
      setBusy(false)
    }
  }

  return { busy, fieldErrors, setFieldErrors, formError, setFormError, run }
}
