import Taro, { useLoad } from '@tarojs/taro'
import { Input, Picker, Textarea, View } from '@tarojs/components'
import { useState } from 'react'
import type { Option } from '../../types/api'
import { getOptions } from '../../services/options'
import { postJob } from '../../services/jobs'
import { today } from '../../utils/date'
import BigButton from '../../components/BigButton'
import Chips, { YesNo } from '../../components/Chips'
import ErrorBanner from '../../components/ErrorBanner'
import Field from '../../components/Field'
import PageHeader from '../../components/PageHeader'
import RegionPicker, { DEPTH, type PickedRegion } from '../../components/RegionPicker'
import { useSubmit } from '../../components/useSubmit'

function addDays(days: number): string {
  const d = new Date(Date.now() + days * 86400000)
  const p = (n: number) => (n < 10 ? `0${n}` : String(n))
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`
}

function num(s: string): number | null {
  const t = s.trim()
  if (!t) return null
  const n = Number(t)
  return Number.isFinite(n) ? Math.round(n) : NaN
}

/** Posting a job: every field the task force moderates and matching reads. */
export default function PostJob() {
  const [industries, setIndustries] = useState<Option[]>([])
  const [capacityOpts, setCapacityOpts] = useState<Option[]>([])
  const [skillOpts, setSkillOpts] = useState<Option[]>([])
  const [title, setTitle] = useState('')
  const [industry, setIndustry] = useState('')
  const [industryOther, setIndustryOther] = useState('')
  const [headcount, setHeadcount] = useState('')
  const [wageMin, setWageMin] = useState('')
  const [wageMax, setWageMax] = useState('')
  const [place, setPlace] = useState<PickedRegion | null>(null)
  const [minAge, setMinAge] = useState('18')
  const [maxAge, setMaxAge] = useState('55')
  const [capacities, setCapacities] = useState<string[]>([])
  const [minSkill, setMinSkill] = useState('none')
  const [housing, setHousing] = useState<boolean | null>(null)
  const [meals, setMeals] = useState<boolean | null>(null)
  const [transport, setTransport] = useState<boolean | null>(null)
  const [validUntil, setValidUntil] = useState(addDays(30))
  const [description, setDescription] = useState('')
  const form = useSubmit()

  useLoad(async () => {
    try {
      const o = await getOptions()
      setIndustries(o.industries || [])
      setCapacityOpts(o.labour_capacities || [])
      setSkillOpts(o.skill_levels || [])
    } catch {
      // The form still shows; the server names what is missing.
    }
  })

  const toggleCapacity = (code: string) =>
    setCapacities((list) => (list.indexOf(code) >= 0 ? list.filter((c) => c !== code) : [...list, code]))

  const submit = async () => {
    const errs: Record<string, string> = {}
    const hc = num(headcount)
    const wmin = num(wageMin)
    const wmax = num(wageMax)
    const amin = num(minAge)
    const amax = num(maxAge)
    if (title.trim().length < 2) errs.title = '请填写岗位名称（2到60字）'
    if (!industry) errs.industry = '请选择工种'
    if (industry === 'other' && !industryOther.trim()) errs.industry_other = '请注明其他工种'
    if (hc === null || Number.isNaN(hc) || hc < 1) errs.headcount = '招聘人数至少为1'
    if (wmin === null || Number.isNaN(wmin) || wmin <= 0) errs.wage_min = '请填写最低月工资（元）'
    if (wmax === null || Number.isNaN(wmax) || wmax <= 0) errs.wage_max = '请填写最高月工资（元）'
    if (!errs.wage_min && !errs.wage_max && (wmin as number) > (wmax as number)) errs.wage_min = '最低月工资不能高于最高月工资'
    if (!place) errs.place_code = '请选择工作地点（到县或更细）'
    if (amin !== null && amax !== null && !Number.isNaN(amin) && !Number.isNaN(amax) && amin > amax) errs.min_age = '最低年龄不能高于最高年龄'
    if (housing === null) errs.housing = '请选择是否包住'
    if (meals === null) errs.meals = '请选择是否包吃'
    if (transport === null) errs.transport = '请选择是否点对点输送'
    if (!validUntil || validUntil <= today()) errs.valid_until = '有效期应晚于今天'
    if (Object.keys(errs).length) {
      form.fail(errs)
      return
    }
    const r = await form.run(() =>
      postJob({
        title: title.trim(),
        industry,
        industry_other: industry === 'other' ? industryOther.trim() : '',
        headcount: hc,
        wage_min: wmin,
        wage_max: wmax,
        place_code: place!.code,
        min_age: amin,
        max_age: amax,
        capacities,
        min_skill: minSkill === 'none' ? '' : minSkill,
        housing: !!housing,
        meals: !!meals,
        transport: !!transport,
        description: description.trim(),
        valid_until: validUntil
      })
    )
    if (r.ok) {
      Taro.showToast({ title: '已提交，等待审核', icon: 'success' })
      setTimeout(() => Taro.navigateBack().catch(() => Taro.reLaunch({ url: '/employer/home/index' })), 800)
    }
  }

  const fe = form.fieldErrors
  return (
    <View className='page' data-testid='post-job-form'>
      <PageHeader title='发布岗位' back />
      <ErrorBanner message={form.formError} />
      <Field label='岗位名称' name='title' required error={fe.title}>
        <Input className='input' value={title} onInput={(e) => setTitle(e.detail.value)} placeholder='例如 包装普工' data-testid='job-title-input' />
      </Field>
      <Field label='工种（行业）' name='industry' required error={fe.industry}>
        <Chips options={industries} value={industry} onChange={setIndustry} testidPrefix='job-industry' />
      </Field>
      {industry === 'other' ? (
        <Field label='其他工种' name='industry_other' required error={fe.industry_other}>
          <Input className='input' value={industryOther} onInput={(e) => setIndustryOther(e.detail.value)} />
        </Field>
      ) : null}
      <Field label='招聘人数' name='headcount' required error={fe.headcount}>
        <Input className='input' type='number' value={headcount} onInput={(e) => setHeadcount(e.detail.value)} placeholder='人' data-testid='job-headcount' />
      </Field>
      <Field label='月工资（元）' name='wage_min' required error={fe.wage_min || fe.wage_max}>
        <View className='btn-row'>
          <Input className='input' type='number' value={wageMin} onInput={(e) => setWageMin(e.detail.value)} placeholder='最低' data-testid='job-wage-min' />
          <Input className='input' type='number' value={wageMax} onInput={(e) => setWageMax(e.detail.value)} placeholder='最高' data-testid='job-wage-max' />
        </View>
      </Field>
      <Field label='工作地点' name='place_code' required error={fe.place_code}>
        <RegionPicker value={place} onChange={setPlace} minDepth={DEPTH.county} maxDepth={DEPTH.village} title='工作地点' testid='job-place' />
      </Field>
      <Field label='年龄要求（岁）' name='min_age' error={fe.min_age || fe.max_age}>
        <View className='btn-row'>
          <Input className='input' type='number' value={minAge} onInput={(e) => setMinAge(e.detail.value)} placeholder='最小' />
          <Input className='input' type='number' value={maxAge} onInput={(e) => setMaxAge(e.detail.value)} placeholder='最大' />
        </View>
      </Field>
      <Field label='劳动能力要求（可多选，不选表示都可以）' name='capacities' error={fe.capacities}>
        <View className='chips'>
          {capacityOpts.map((o) => (
            <View
              key={o.code}
              className={`chip ${capacities.indexOf(o.code) >= 0 ? 'chip-on' : ''}`}
              data-testid={`job-capacity-${o.code}`}
              onClick={() => toggleCapacity(o.code)}
            >
              {o.label}
            </View>
          ))}
        </View>
      </Field>
      <Field label='最低技能等级' name='min_skill' error={fe.min_skill}>
        <Chips options={skillOpts} value={minSkill} onChange={setMinSkill} testidPrefix='job-skill' />
      </Field>
      <Field label='包住' name='housing' required error={fe.housing}>
        <YesNo value={housing} onChange={setHousing} testidPrefix='job-housing' />
      </Field>
      <Field label='包吃' name='meals' required error={fe.meals}>
        <YesNo value={meals} onChange={setMeals} testidPrefix='job-meals' />
      </Field>
      <Field label='点对点输送（统一包车接送）' name='transport' required error={fe.transport}>
        <YesNo value={transport} onChange={setTransport} testidPrefix='job-transport' />
      </Field>
      <Field label='有效期到' name='valid_until' required hint='最长180天，到期自动下架' error={fe.valid_until}>
        <Picker mode='date' value={validUntil} start={addDays(1)} end={addDays(180)} onChange={(e) => setValidUntil(e.detail.value)}>
          <View className='input' data-testid='job-valid-until'>
            {validUntil}
          </View>
        </Picker>
      </Field>
      <Field label='岗位说明' name='description' error={fe.description}>
        <Textarea className='textarea' value={description} maxlength={1000} onInput={(e) => setDescription(e.detail.value)} placeholder='工作内容、上班时间、加班等' />
      </Field>
      <BigButton tone='orange' loading={form.busy} onClick={submit} testid='job-submit'>
        提交审核
      </BigButton>
      <View className='muted center'>县专班审核通过后，岗位会推送给合适的务工人员。</View>
    </View>
  )
}
