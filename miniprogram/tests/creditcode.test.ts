import { describe, expect, it } from 'vitest'
import { checkCreditCode, creditCheckChar, creditCodeMessage, normalizeCreditCode } from '../src/utils/creditcode'

const VALID = '91350100M000100Y43'

describe('统一社会信用代码 (GB 32100)', () => {
  it('accepts the standard vector', () => {
    expect(checkCreditCode(VALID)).toBe('')
    expect(creditCheckChar(VALID.slice(0, 17))).toBe('3')
    expect(creditCodeMessage(VALID)).toBe('')
  })

  it('accepts lower case and spaces after normalising', () => {
    expect(normalizeCreditCode(' 91350100m000100y43 ')).toBe(VALID)
    expect(checkCreditCode('91350100m000100y43')).toBe('')
  })

  it('rejects every single altered character', () => {
    const charset = '0123456789ABCDEFGHJKLMNPQRTUWXY'
    for (let i = 0; i < 18; i++) {
      const other = charset[(charset.indexOf(VALID[i]) + 1) % charset.length]
      const bad = VALID.slice(0, i) + other + VALID.slice(i + 1)
      expect(checkCreditCode(bad), bad).not.toBe('')
    }
    expect(checkCreditCode('91350100M000100Y44')).toBe('invalid_check_digit')
    expect(creditCodeMessage('91350100M000100Y44')).toContain('校验位')
  })

  it('names the other problems', () => {
    expect(checkCreditCode('')).toBe('required')
    expect(checkCreditCode('91350100M000100Y4')).toBe('invalid_length')
    expect(checkCreditCode('91350100M000100YO3')).toBe('invalid_char')
    expect(checkCreditCode('913501A0M000100Y43')).toBe('invalid_region')
  })

  it('agrees with the demo seed code', () => {
    const first = '91622926MA7DEM001'
    expect(checkCreditCode(first + creditCheckChar(first))).toBe('')
  })
})
