import Taro, { useLoad } from '@tarojs/taro'
import { Input, View } from '@tarojs/components'
import { useState } from 'react'
import type { BindRequest } from '../../types/api'
import { bindIdentity } from '../../services/me'
import { fetchMe, logout } from '../../services/auth'
import { errorMessage } from '../../services/request'
import { getMe } from '../../services/session'
import { idNumberError, normalizeIdNumber, phoneError } from '../../utils/idcard'
import { WORKER_HOME, toLogin } from '../../utils/nav'
import BigButton from '../../components/BigButton'
import ErrorBanner from '../../components/ErrorBanner'
import Field from '../../components/Field'
import PhoneField from '../../components/PhoneField'
import PageHeader from '../../components/PageHeader'
import RegionPicker, { DEPTH, type PickedRegion } from '../../components/RegionPicker'
import { useSubmit } from '../../components/useSubmit'

/** Bind identity: a worker whose account is not yet tied to a labourer record. */
export default function BindPage() {
  const [name, setName] = useState('')
  const [idNumber, setIdNumber] = useState('')
  const [phone, setPhone] = useState('')
  const [phoneMasked, setPhoneMasked] = useState('')
  const [village, setVillage] = useState<PickedRegion | null>(null)
  // The village is asked for only when the server could not place the person by ID number.
  const [needVillage, setNeedVillage] = useState(false)
  const [pending, setPending] = useState(false)
  const [checking, setChecking] = useState(false)
  const form = useSubmit()

  useLoad(() => {
    const me = getMe()
    if (me && me.binding_status === 'pending') setPending(true)
  })

  const submit = async () => {
    const errs: Record<string, string> = {}
    if (!name.trim()) errs.name = '请填写姓名'
    const idErr = idNumberError(idNumber)
    if (idErr) errs.id_number = idErr
    if (!phoneMasked) {
      const pErr = phoneError(phone)
      if (pErr) errs.phone = pErr
    }
    if (needVillage && !village) errs.village_code = '请选择户籍所在村'
    if (Object.keys(errs).length) {
      form.fail(errs)
      return
    }
    const body: BindRequest = {
      name: name.trim(),
      id_number: normalizeIdNumber(idNumber),
      // Empty when the phone was verified through WeChat: the server already holds it.
      phone: phoneMasked ? '' : phone.trim()
    }
    if (village) body.village_code = village.code
    const r = await form.run(() => bindIdentity(body))
    if (r.ok) {
      if (r.value.status === 'bound') {
        Taro.showToast({ title: '绑定成功', icon: 'success' })
        Taro.reLaunch({ url: WORKER_HOME })
      } else {
        setPending(true)
      }
      return
    }
    const err: any = r.error
    if (err && Array.isArray(err.fields) && err.fields.some((f: any) => f.field === 'village_code')) {
      setNeedVillage(true)
    }
  }

  const recheck = async () => {
    setChecking(true)
    try {
      const me = await fetchMe()
      if (me.binding_status === 'bound') {
        Taro.reLaunch({ url: WORKER_HOME })
      } else {
        Taro.showToast({ title: '还在等村干部确认', icon: 'none' })
      }
    } catch (e) {
      Taro.showToast({ title: errorMessage(e), icon: 'none' })
    } finally {
      setChecking(false)
    }
  }

  if (pending) {
    return (
      <View className='page'>
        <PageHeader title='填写身份信息' />
        <View className='result-card' data-testid='bind-pending'>
          <View className='result-icon'>⏳</View>
          <View className='result-title'>已提交，等待村干部确认</View>
          <View className='muted'>村干部确认后，就能报告务工情况了。</View>
        </View>
        <BigButton tone='plain' loading={checking} onClick={recheck}>
          刷新看看
        </BigButton>
        <BigButton
          tone='grey'
          onClick={async () => {
            await logout()
            toLogin()
          }}
        >
          退出登录
        </BigButton>
      </View>
    )
  }

  return (
    <View className='page'>
      <PageHeader title='填写身份信息' />
      <View className='lead'>第一次使用，请填写本人信息</View>
      <ErrorBanner message={form.formError} />
      <Field label='姓名' name='name' required error={form.fieldErrors.name}>
        <Input className='input' value={name} maxlength={30} placeholder='身份证上的名字' onInput={(e) => setName(e.detail.value)} data-testid='bind-name' />
      </Field>
      <Field label='身份证号码' name='id_number' required error={form.fieldErrors.id_number}>
        <Input
          className='input'
          type='idcard'
          maxlength={18}
          value={idNumber}
          placeholder='18位身份证号码'
          onInput={(e) => setIdNumber(normalizeIdNumber(e.detail.value))}
          data-testid='bind-id-number'
        />
      </Field>
      <Field label='手机号' name='phone' required error={form.fieldErrors.phone}>
        <PhoneField value={phone} onChange={setPhone} verifiedMasked={phoneMasked} onVerified={setPhoneMasked} />
      </Field>
      {needVillage ? (
        <Field label='户籍所在村' name='village_code' required error={form.fieldErrors.village_code}>
          <RegionPicker
            title='选择户籍所在村'
            value={village}
            onChange={setVillage}
            maxDepth={DEPTH.village}
            placeholder='点这里选省、市、县、乡镇、村'
            testid='bind-village'
          />
        </Field>
      ) : null}
      <BigButton size='huge' loading={form.busy} onClick={submit} testid='bind-submit'>
        提交
      </BigButton>
    </View>
  )
}
