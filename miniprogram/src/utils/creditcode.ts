// 统一社会信用代码 (GB 32100-2015): 18 characters from 31 (digits and capitals without I, O,
// Z, S, V); positions 3–8 are the registering authority's region code; the 18th is a check
// character: C18 = 31 − (Σ Ci·Wi mod 31), 31 written as 0. The server checks the same.

export const CREDIT_CHARSET = '0123456789ABCDEFGHJKLMNPQRTUWXY'
const WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]

export type CreditProblem = '' | 'required' | 'invalid_length' | 'invalid_char' | 'invalid_region' | 'invalid_check_digit'

export const CREDIT_MESSAGES: Record<Exclude<CreditProblem, ''>, string> = {
  required: '请填写统一社会信用代码',
  invalid_length: '统一社会信用代码应为18位',
  invalid_char: '统一社会信用代码只能由数字和大写字母组成（不含I、O、Z、S、V）',
  invalid_region: '统一社会信用代码第3到8位应为行政区划代码',
  invalid_check_digit: '统一社会信用代码校验位不对，请仔细核对'
}

export function normalizeCreditCode(s: string): string {
  return (s || '').replace(/\s+/g, '').toUpperCase()
}

/** creditCheckChar computes the 18th character of 17 valid ones ('' otherwise). */
export function creditCheckChar(first17: string): string {
  if (first17.length !== 17) return ''
  let sum = 0
  for (let i = 0; i < 17; i++) {
    const v = CREDIT_CHARSET.indexOf(first17[i])
    if (v < 0) return ''
    sum += v * WEIGHTS[i]
  }
  return CREDIT_CHARSET[(31 - (sum % 31)) % 31]
}

/** checkCreditCode names the problem of a code ('' when valid). */
export function checkCreditCode(raw: string): CreditProblem {
  const code = normalizeCreditCode(raw)
  if (!code) return 'required'
  if (code.length !== 18) return 'invalid_length'
  for (const ch of code) if (CREDIT_CHARSET.indexOf(ch) < 0) return 'invalid_char'
  if (!/^\d{6}$/.test(code.slice(2, 8))) return 'invalid_region'
  if (creditCheckChar(code.slice(0, 17)) !== code[17]) return 'invalid_check_digit'
  return ''
}

/** creditCodeMessage is the Chinese message for a code, '' when valid. */
export function creditCodeMessage(raw: string): string {
  const p = checkCreditCode(raw)
  return p ? CREDIT_MESSAGES[p] : ''
}
