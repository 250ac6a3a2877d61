import Taro, { useLoad } from '@tarojs/taro'
import { Input, View } from '@tarojs/components'
import { useState } from 'react'
import type { BankAccount } from '../../types/subsidies'
import { myBankAccount, putMyBankAccount } from '../../services/payments'
import { getMe } from '../../services/session'
import { errorMessage } from '../../services/request'
import BigButton from '../../components/BigButton'
import ErrorBanner from '../../components/ErrorBanner'
import Field from '../../components/Field'
import PageHeader from '../../components/PageHeader'
import { useSubmit } from '../../components/useSubmit'
import '../../components/subsidy/subsidy.css'

/** 我的收款账户: where subsidies are paid (only the worker's own account; shown masked). */
export default function BankPage() {
  const me = getMe()
  const [current, setCurrent] = useState<BankAccount | null>(null)
  const [holder, setHolder] = useState(me ? me.name.replace(/（.*?）/g, '') : '')
  const [bankName, setBankName] = useState('')
  const [number, setNumber] = useState('')
  const s = useSubmit()

  useLoad(() => {
    myBankAccount()
      .then((b) => {
        setCurrent(b)
        if (b) {
          setHolder(b.holder_name)
          setBankName(b.bank_name)
        }
      })
      .catch((e) => s.setFormError(errorMessage(e)))
  })

  const save = async () => {
    const errs: Record<string, string> = {}
    if (!holder.trim()) errs.holder_name = '请填写开户人姓名（要和本人身份证上的姓名一致）'
    if (bankName.trim().length < 2) errs.bank_name = '请填写开户行，例如：中国农业银行东乡县支行'
    const digits = number.replace(/[\s-]/g, '')
    if (!/^\d{12,30}$/.test(digits)) errs.number = '银行卡号应为12到30位数字'
    if (Object.keys(errs).length) {
      s.fail(errs)
      return
    }
    const r = await s.run(() => putMyBankAccount({ holder_name: holder.trim(), bank_name: bankName.trim(), number: digits }))
    if (r.ok) {
      setCurrent(r.value)
      setNumber('')
      Taro.showToast({ title: '已保存', icon: 'success' })
      setTimeout(() => Taro.navigateBack().catch(() => undefined), 800)
    }
  }

  const e = s.fieldErrors
  return (
    <View className='page' data-testid='bank-page'>
      <PageHeader title='我的收款账户' back />
      <ErrorBanner message={s.formError} />
      {current ? (
        <View className='card' data-testid='bank-current'>
          <View className='muted'>现在登记的账户</View>
          <View className='claim-line'>
            {current.bank_name} {current.account_masked}
          </View>
        </View>
      ) : null}
      <View className='claim-hint'>补助只发到本人的银行卡（社保卡、一卡通也可以）。</View>
      <Field label='开户人姓名' name='holder_name' required error={e.holder_name}>
        <Input className='input' value={holder} maxlength={50} onInput={(ev) => setHolder(ev.detail.value)} data-testid='bank-holder' />
      </Field>
      <Field label='开户行' name='bank_name' required error={e.bank_name}>
        <Input
          className='input'
          value={bankName}
          maxlength={50}
          placeholder='例如：中国农业银行东乡县支行'
          onInput={(ev) => setBankName(ev.detail.value)}
          data-testid='bank-name'
        />
      </Field>
      <Field label='银行卡号' name='number' required error={e.number}>
        <Input
          className='input'
          type='number'
          value={number}
          maxlength={30}
          placeholder={current ? '要换卡才填，卡号只显示后四位' : '卡上的一长串数字'}
          onInput={(ev) => setNumber(ev.detail.value)}
          data-testid='bank-number'
        />
      </Field>
      <BigButton size='huge' loading={s.busy} onClick={save} testid='bank-save'>
        保存
      </BigButton>
    </View>
  )
}
