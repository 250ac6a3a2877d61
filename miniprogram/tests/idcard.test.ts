import { describe, expect, it } from 'vitest'
import { idCheckChar, idNumberError, isValidIdNumber, normalizeIdNumber, phoneError } from '../src/utils/idcard'

describe('身份证 check digit (GB 11643)', () => {
  it('accepts the standard vector 11010519491231002X', () => {
    expect(isValidIdNumber('11010519491231002X')).toBe(true)
    expect(idCheckChar('11010519491231002')).toBe('X')
  })

  it('rejects 110105194912310021 with a check-digit message', () => {
    expect(isValidIdNumber('110105194912310021')).toBe(false)
    expect(idNumberError('110105194912310021')).toBe('身份证号码校验位不对')
  })

  it('normalises a lowercase x and spaces', () => {
    expect(normalizeIdNumber(' 110105 19491231002x ')).toBe('11010519491231002X')
    expect(isValidIdNumber('11010519491231002x')).toBe(true)
  })

  it('explains what is wrong', () => {
    expect(idNumberError('')).toBe('请填写身份证号码')
    expect(idNumberError('1101051949123100')).toBe('身份证号码应为18位')
    expect(idNumberError('110105194902301234')).toBe('身份证号码里的出生日期不对')
  })

  it('checks phone numbers', () => {
    expect(phoneError('13812341234')).toBe('')
    expect(phoneError('1381234')).toBe('手机号应为11位数字')
    expect(phoneError('')).toBe('请填写手机号')
  })
})
