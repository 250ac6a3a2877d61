import { Input, View } from '@tarojs/components'
import { useState } from 'react'
import type { TargetMetric } from '../../../types/reports'
import { ApiError, errorMessage } from '../../../services/request'
import { setTarget } from '../../../services/reports'
import { parseCount } from '../../../utils/dashboard'
import BigButton from '../../../components/BigButton'
import Chips from '../../../components/Chips'
import ErrorBanner from '../../../components/ErrorBanner'
import Field from '../../../components/Field'

// The metrics and comparators a target takes (model.TargetMetrics, model.TargetComparators).
const METRICS: { code: TargetMetric; label: string }[] = [
  { code: 'total_out', label: '外出务工总量' },
  { code: 'out_province', label: '省外务工人数' },
  { code: 'in_province', label: '省内县外务工人数' },
  { code: 'in_county', label: '县内务工人数' }
]

interface Props {
  region: string
  regionName: string
  year: number
  onSaved: () => void
}

/**
 * TargetForm sets one goal of the region and year, as seed 002 二 writes them ("总量超过13037人",
 * "省外务工不少于6553人"); the same metric again replaces it. For the task force (its county) and
 * admins; the server checks the scope.
 */
export default function TargetForm(props: Props) {
  const [metric, setMetric] = useState<TargetMetric>('total_out')
  const [comparator, setComparator] = useState<'gt' | 'ge'>('gt')
  const [value, setValue] = useState('')
  const [note, setNote] = useState('')
  const [errors, setErrors] = useState<Record<string, string>>({})
  const [error, setError] = useState('')
  const [saving, setSaving] = useState(false)

  const save = async () => {
    setError('')
    const v = parseCount(value)
    if (v === null) {
      setErrors({ value: '请填写目标人数（整数，不能为负）' })
      return
    }
    setErrors({})
    setSaving(true)
    try {
      await setTarget({ region: props.region, year: props.year, metric, comparator, value: v, note: note.trim() })
      setValue('')
      setNote('')
      props.onSaved()
    } catch (e) {
      if (e instanceof ApiError && e.fields.length) setErrors(e.fieldMessages())
      setError(errorMessage(e))
    } finally {
      setSaving(false)
    }
  }

  return (
    <View className='dash-target-form' data-testid='target-form'>
      <View className='dash-note'>
        为{props.regionName}设定{props.year}年度目标；同一指标再设定会替换原来的目标
      </View>
      <Field label='指标' required name='metric' error={errors.metric}>
        <Chips options={METRICS} value={metric} onChange={(c) => setMetric(c as TargetMetric)} testidPrefix='target-metric' />
      </Field>
      <Field label='要求' required name='comparator' error={errors.comparator}>
        <Chips
          options={[
            { code: 'gt', label: '超过' },
            { code: 'ge', label: '不少于' }
          ]}
          value={comparator}
          onChange={(c) => setComparator(c as 'gt' | 'ge')}
          testidPrefix='target-comparator'
        />
      </Field>
      <Field label='目标人数' required name='value' error={errors.value}>
        <View className='input'>
          <Input type='number' placeholder='例如 13037' value={value} onInput={(ev) => setValue(ev.detail.value)} data-testid='target-value' />
        </View>
      </Field>
      <Field label='备注' name='note' error={errors.note}>
        <View className='input'>
          <Input placeholder='例如：一超过，总量超过去年' maxlength={200} value={note} onInput={(ev) => setNote(ev.detail.value)} data-testid='target-note' />
        </View>
      </Field>
      <ErrorBanner message={error} />
      <BigButton tone='green' loading={saving} onClick={save} testid='target-save'>
        保存目标
      </BigButton>
    </View>
  )
}
