// 身份证 (resident identity number) checks, GB 11643-1999: 17 digits and an
// ISO 7064 MOD 11-2 check character. The server checks again; this only saves a round trip.

const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
const CHECK_CHARS = '10X98765432'

/** normalizeIdNumber removes spaces and upper-cases a trailing x. */
export function normalizeIdNumber(raw: string): string {
  return (raw || '').replace(/\s+/g, '').toUpperCase()
}

/** idCheckChar computes the 18th character for the first 17 digits. */
export function idCheckChar(first17: string): string {
  let sum = 0
  for (let i = 0; i < 17; i++) sum += Number(first17[i]) * WEIGHTS[i]
  return CHECK_CHARS[sum % 11]
}

function validBirthDate(id: string): boolean {
  const y = Number(id.slice(6, 10))
  const m = Number(id.slice(10, 12))
  const d = Number(id.slice(12, 14))
  if (y < 1900 || m < 1 || m > 12 || d < 1) return false
  const days = new Date(Date.UTC(y, m, 0)).getUTCDate()
  return d <= days
}

/** idNumberError returns the message to show under the field, or '' when the number is valid. */
export function idNumberError(raw: string): string {
  const id = normalizeIdNumber(raw)
  if (!id) return '请填写身份证号码'
  if (!/^\d{17}[\dX]$/.test(id)) return '身份证号码应为18位'
  if (!validBirthDate(id)) return '身份证号码里的出生日期不对'
  if (idCheckChar(id.slice(0, 17)) !== id[17]) return '身份证号码校验位不对'
  return ''
}

export function isValidIdNumber(raw: string): boolean {
  return idNumberError(raw) === ''
}

/** phoneError checks a mainland mobile number. */
export function phoneError(raw: string): string {
  const p = (raw || '').replace(/\s+/g, '')
  if (!p) return '请填写手机号'
  if (!/^1\d{10}$/.test(p)) return '手机号应为11位数字'
  return ''
}
