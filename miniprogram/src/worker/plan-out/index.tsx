import Taro from '@tarojs/taro'
import { Input, Picker, Text, View } from '@tarojs/components'
import { useState } from 'react'
import type { PlanOutReport } from '../../types/api'
import { submitReport } from '../../services/me'
import { showDate, thisMonth } from '../../utils/date'
import BigButton from '../../components/BigButton'
import ErrorBanner from '../../components/ErrorBanner'
import Field from '../../components/Field'
import PageHeader from '../../components/PageHeader'
import RegionPicker, { DEPTH, type PickedRegion } from '../../components/RegionPicker'
import { useSubmit } from '../../components/useSubmit'

/** 想外出: where to, what job, what pay, when. */
export default function PlanOutPage() {
  const [dest, setDest] = useState<PickedRegion | null>(null)
  const [job, setJob] = useState('')
  const [wage, setWage] = useState('')
  const [month, setMonth] = useState('')
  const s = useSubmit()

  const submit = async () => {
    const errs: Record<string, string> = {}
    if (!dest) errs.dest_code = '请选择想去哪里'
    if (!job.trim()) errs.job = '请填写想干什么活'
    if (!/^\d+$/.test(wage.trim())) errs.expected_wage = '请填写期望月薪（元），只写数字'
    if (Object.keys(errs).length) {
      s.fail(errs)
      return
    }
    const body: PlanOutReport = {
      kind: 'plan_out',
      dest_code: dest!.code,
      job: job.trim(),
      expected_wage: Number(wage.trim())
    }
    if (month) body.planned_month = month
    const r = await s.run(() => submitReport(body))
    if (r.ok) {
      Taro.showToast({ title: '已报告：想外出', icon: 'success' })
      Taro.navigateBack()
    }
  }

  const e = s.fieldErrors
  return (
    <View className='page'>
      <PageHeader title='想外出' back />
      <ErrorBanner message={s.formError} />
      <Field label='想去哪里' name='dest_code' required error={e.dest_code}>
        <RegionPicker
          title='想去哪里'
          value={dest}
          onChange={setDest}
          minDepth={DEPTH.province}
          maxDepth={DEPTH.city}
          placeholder='点这里选省、市'
          testid='planout-dest'
        />
      </Field>
      <Field label='想干什么活' name='job' required error={e.job}>
        <Input className='input' value={job} maxlength={50} placeholder='例如 普工、建筑工、保洁' onInput={(ev) => setJob(ev.detail.value)} />
      </Field>
      <Field label='期望月薪（元）' name='expected_wage' required error={e.expected_wage}>
        <Input className='input' type='number' value={wage} maxlength={6} placeholder='例如 5000' onInput={(ev) => setWage(ev.detail.value)} />
      </Field>
      <Field label='打算哪个月出去' name='planned_month' error={e.planned_month}>
        <Picker mode='date' fields='month' value={month || thisMonth()} start={thisMonth()} onChange={(ev) => setMonth(ev.detail.value.slice(0, 7))}>
          <View className={`input picker-box ${month ? '' : 'placeholder'}`}>{month ? showDate(month) : '点这里选月份'}</View>
        </Picker>
        {month ? (
          <Text className='link' onClick={() => setMonth('')}>
            不确定，清除
          </Text>
        ) : null}
      </Field>
      <BigButton size='huge' loading={s.busy} onClick={submit} testid='planout-submit'>
        提交
      </BigButton>
    </View>
  )
}
