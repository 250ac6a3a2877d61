import Taro, { useLoad } from '@tarojs/taro'
import { Input, Picker, View } from '@tarojs/components'
import { useState } from 'react'
import type { Option } from '../../types/api'
import { getOptions } from '../../services/options'
import { submitReport } from '../../services/me'
import { errorMessage } from '../../services/request'
import { showDate, today } from '../../utils/date'
import BigButton from '../../components/BigButton'
import Chips, { YesNo } from '../../components/Chips'
import ErrorBanner from '../../components/ErrorBanner'
import Field from '../../components/Field'
import PageHeader from '../../components/PageHeader'
import RegionPicker, { DEPTH, type PickedRegion } from '../../components/RegionPicker'
import { useSubmit } from '../../components/useSubmit'

const OTHER = 'other'

/** 换了工作: the new job's details. */
export default function NewJobPage() {
  const [forms, setForms] = useState<Option[]>([])
  const [industries, setIndustries] = useState<Option[]>([])
  const [startDate, setStartDate] = useState(today())
  const [place, setPlace] = useState<PickedRegion | null>(null)
  const [form, setForm] = useState('')
  const [formOther, setFormOther] = useState('')
  const [employer, setEmployer] = useState('')
  const [wage, setWage] = useState('')
  const [industry, setIndustry] = useState('')
  const [industryOther, setIndustryOther] = useState('')
  const [contract, setContract] = useState<boolean | null>(null)
  const [insurance, setInsurance] = useState<boolean | null>(null)
  const s = useSubmit()

  useLoad(() => {
    getOptions()
      .then((o) => {
        setForms(o.employment_forms || [])
        setIndustries(o.industries || [])
      })
      .catch((e) => s.setFormError(errorMessage(e)))
  })

  const submit = async () => {
    const errs: Record<string, string> = {}
    if (!startDate) errs.start_date = '请选择开始上班的日期'
    if (!place) errs.place_code = '请选择在哪里干活'
    if (!form) errs.form = '请选择就业形式'
    if (form === OTHER && !formOther.trim()) errs.form_other = '请写一下是什么形式'
    if (!employer.trim()) errs.employer_name = '请填写单位名称'
    if (!/^\d+$/.test(wage.trim())) errs.monthly_wage = '请填写月工资（元），只写数字'
    if (!industry) errs.industry = '请选择行业'
    if (industry === OTHER && !industryOther.trim()) errs.industry_other = '请写一下是什么行业'
    if (contract === null) errs.contract = '请选择有没有签劳动合同'
    if (insurance === null) errs.social_insurance = '请选择有没有交社保'
    if (Object.keys(errs).length) {
      s.fail(errs)
      return
    }
    const r = await s.run(() =>
      submitReport({
        kind: 'new_job',
        start_date: startDate,
        place_code: place!.code,
        form,
        form_other: form === OTHER ? formOther.trim() : '',
        employer_name: employer.trim(),
        monthly_wage: Number(wage.trim()),
        industry,
        industry_other: industry === OTHER ? industryOther.trim() : '',
        contract: !!contract,
        social_insurance: !!insurance
      })
    )
    if (r.ok) {
      Taro.showToast({ title: '已报告：换了工作', icon: 'success' })
      Taro.navigateBack()
    }
  }

  const e = s.fieldErrors
  return (
    <View className='page'>
      <PageHeader title='换了工作' back />
      <ErrorBanner message={s.formError} />
      <Field label='哪天开始上班' name='start_date' required error={e.start_date}>
        <Picker mode='date' value={startDate} end={today()} onChange={(ev) => setStartDate(ev.detail.value)}>
          <View className='input picker-box'>{showDate(startDate) || '点这里选日期'}</View>
        </Picker>
      </Field>
      <Field label='在哪里干活' name='place_code' required error={e.place_code}>
        <RegionPicker
          title='在哪里干活'
          value={place}
          onChange={setPlace}
          minDepth={DEPTH.county}
          maxDepth={DEPTH.town}
          placeholder='点这里选省、市、县'
          testid='newjob-place'
        />
      </Field>
      <Field label='就业形式' name='form' required error={e.form}>
        <Chips options={forms} value={form} onChange={setForm} testidPrefix='form' />
      </Field>
      {form === OTHER ? (
        <Field label='其他形式' name='form_other' required error={e.form_other}>
          <Input className='input' value={formOther} maxlength={50} onInput={(ev) => setFormOther(ev.detail.value)} />
        </Field>
      ) : null}
      <Field label='单位名称' name='employer_name' required error={e.employer_name}>
        <Input className='input' value={employer} maxlength={100} placeholder='厂子、公司或老板的名字' onInput={(ev) => setEmployer(ev.detail.value)} />
      </Field>
      <Field label='月工资（元）' name='monthly_wage' required error={e.monthly_wage}>
        <Input className='input' type='number' value={wage} maxlength={6} placeholder='例如 4500' onInput={(ev) => setWage(ev.detail.value)} />
      </Field>
      <Field label='行业' name='industry' required error={e.industry}>
        <Chips options={industries} value={industry} onChange={setIndustry} testidPrefix='industry' />
      </Field>
      {industry === OTHER ? (
        <Field label='其他行业' name='industry_other' required error={e.industry_other}>
          <Input className='input' value={industryOther} maxlength={50} onInput={(ev) => setIndustryOther(ev.detail.value)} />
        </Field>
      ) : null}
      <Field label='签了劳动合同吗' name='contract' required error={e.contract}>
        <YesNo value={contract} onChange={setContract} testidPrefix='contract' />
      </Field>
      <Field label='交了社保吗' name='social_insurance' required error={e.social_insurance}>
        <YesNo value={insurance} onChange={setInsurance} testidPrefix='insurance' />
      </Field>
      <BigButton size='huge' loading={s.busy} onClick={submit} testid='newjob-submit'>
        提交
      </BigButton>
    </View>
  )
}
