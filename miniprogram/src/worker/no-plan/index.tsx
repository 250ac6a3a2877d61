import Taro, { useLoad } from '@tarojs/taro'
import { Input, View } from '@tarojs/components'
import { useState } from 'react'
import type { Option } from '../../types/api'
import { getOptionGroup } from '../../services/options'
import { submitReport } from '../../services/me'
import { errorMessage } from '../../services/request'
import BigButton from '../../components/BigButton'
import Chips from '../../components/Chips'
import ErrorBanner from '../../components/ErrorBanner'
import Field from '../../components/Field'
import PageHeader from '../../components/PageHeader'
import { useSubmit } from '../../components/useSubmit'

const OTHER = 'other'

/** 暂不外出: why not (one big chip), "其他" needs a few words. */
export default function NoPlanPage() {
  const [reasons, setReasons] = useState<Option[]>([])
  const [reason, setReason] = useState('')
  const [other, setOther] = useState('')
  const s = useSubmit()

  useLoad(() => {
    getOptionGroup('no_plan_reasons')
      .then(setReasons)
      .catch((e) => s.setFormError(errorMessage(e)))
  })

  const submit = async () => {
    const errs: Record<string, string> = {}
    if (!reason) errs.reason = '请选一个原因'
    if (reason === OTHER && !other.trim()) errs.reason_other = '请写一下是什么原因'
    if (Object.keys(errs).length) {
      s.fail(errs)
      return
    }
    const r = await s.run(() =>
      submitReport({ kind: 'no_plan', reason, reason_other: reason === OTHER ? other.trim() : '' })
    )
    if (r.ok) {
      Taro.showToast({ title: '已报告：暂不外出', icon: 'success' })
      Taro.navigateBack()
    }
  }

  return (
    <View className='page'>
      <PageHeader title='暂不外出' back />
      <ErrorBanner message={s.formError} />
      <Field label='为什么暂时不出去' name='reason' required error={s.fieldErrors.reason}>
        <View className='chips-column'>
          <Chips options={reasons} value={reason} onChange={setReason} testidPrefix='reason' />
        </View>
      </Field>
      {reason === OTHER ? (
        <Field label='其他原因' name='reason_other' required error={s.fieldErrors.reason_other}>
          <Input className='input' value={other} maxlength={100} placeholder='简单写几个字' onInput={(ev) => setOther(ev.detail.value)} />
        </Field>
      ) : null}
      <BigButton size='huge' loading={s.busy} onClick={submit} testid='noplan-submit'>
        提交
      </BigButton>
    </View>
  )
}
