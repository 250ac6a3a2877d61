import Taro from '@tarojs/taro'
import { Input, View } from '@tarojs/components'
import { useState } from 'react'
import { registerMyEmployer } from '../../services/jobs'
import { creditCodeMessage, normalizeCreditCode } from '../../utils/creditcode'
import BigButton from '../../components/BigButton'
import Chips from '../../components/Chips'
import ErrorBanner from '../../components/ErrorBanner'
import Field from '../../components/Field'
import PageHeader from '../../components/PageHeader'
import RegionPicker, { DEPTH, type PickedRegion } from '../../components/RegionPicker'
import { useSubmit } from '../../components/useSubmit'

/** EMPLOYER_KINDS mirror model.EmployerKinds (the server checks them). */
export const EMPLOYER_KINDS = [
  { code: 'enterprise', label: '企业' },
  { code: 'workshop', label: '帮扶车间/乡村就业工厂' },
  { code: 'base', label: '就业帮扶基地' },
  { code: 'public_welfare', label: '公益性岗位用人单位' },
  { code: 'agency', label: '人力资源服务机构/劳务经纪人' }
]

/** Employer registration: 统一社会信用代码 checked here as typed (GB 32100), kind, place, contact. */
export default function EmployerRegister() {
  const [creditCode, setCreditCode] = useState('')
  const [name, setName] = useState('')
  const [kind, setKind] = useState('')
  const [region, setRegion] = useState<PickedRegion | null>(null)
  const [address, setAddress] = useState('')
  const [contact, setContact] = useState('')
  const [phone, setPhone] = useState('')
  const form = useSubmit()
  const codeError = creditCode.length >= 18 ? creditCodeMessage(creditCode) : ''

  const submit = async () => {
    const errs: Record<string, string> = {}
    const cc = creditCodeMessage(creditCode)
    if (cc) errs.credit_code = cc
    if (name.trim().length < 2) errs.name = '请填写单位名称（2到100字）'
    if (!kind) errs.kind = '请选择单位类型'
    if (!region) errs.region_code = '请选择单位所在地（到县或更细）'
    if (!contact.trim()) errs.contact_name = '请填写联系人'
    if (!/^1\d{10}$/.test(phone.trim())) errs.phone = '请填写11位手机号'
    if (Object.keys(errs).length) {
      form.fail(errs)
      return
    }
    const r = await form.run(() =>
      registerMyEmployer({
        credit_code: normalizeCreditCode(creditCode),
        name: name.trim(),
        kind,
        region_code: region!.code,
        address: address.trim(),
        contact_name: contact.trim(),
        phone: phone.trim()
      })
    )
    if (r.ok) {
      Taro.showToast({ title: '已提交，等待审核', icon: 'success' })
      setTimeout(() => Taro.navigateBack().catch(() => Taro.reLaunch({ url: '/employer/home/index' })), 800)
    }
  }

  return (
    <View className='page' data-testid='employer-register-form'>
      <PageHeader title='登记用人单位' back />
      <ErrorBanner message={form.formError} />
      <Field label='统一社会信用代码' name='credit_code' required hint='营业执照上的18位代码' error={form.fieldErrors.credit_code || codeError}>
        <Input
          className='input'
          maxlength={18}
          value={creditCode}
          onInput={(e) => setCreditCode(normalizeCreditCode(e.detail.value))}
          placeholder='例如 91350100M000100Y43'
          data-testid='employer-credit-code'
        />
      </Field>
      <Field label='单位名称' name='name' required error={form.fieldErrors.name}>
        <Input className='input' value={name} onInput={(e) => setName(e.detail.value)} placeholder='与营业执照一致' data-testid='employer-name' />
      </Field>
      <Field label='单位类型' name='kind' required error={form.fieldErrors.kind}>
        <View className='chips-column'>
          <Chips options={EMPLOYER_KINDS} value={kind} onChange={setKind} testidPrefix='employer-kind' />
        </View>
      </Field>
      <Field label='单位所在地' name='region_code' required error={form.fieldErrors.region_code}>
        <RegionPicker value={region} onChange={setRegion} minDepth={DEPTH.county} maxDepth={DEPTH.village} title='单位所在地' testid='employer-region' />
      </Field>
      <Field label='详细地址' name='address' error={form.fieldErrors.address}>
        <Input className='input' value={address} onInput={(e) => setAddress(e.detail.value)} placeholder='街道、门牌号' />
      </Field>
      <Field label='联系人' name='contact_name' required error={form.fieldErrors.contact_name}>
        <Input className='input' value={contact} onInput={(e) => setContact(e.detail.value)} data-testid='employer-contact' />
      </Field>
      <Field label='联系电话' name='phone' required error={form.fieldErrors.phone}>
        <Input className='input' type='number' maxlength={11} value={phone} onInput={(e) => setPhone(e.detail.value)} data-testid='employer-phone' />
      </Field>
      <BigButton loading={form.busy} onClick={submit} testid='employer-submit'>
        提交审核
      </BigButton>
    </View>
  )
}
