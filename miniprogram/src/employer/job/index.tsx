import Taro, { useDidShow, useRouter } from '@tarojs/taro'
import { Input, Picker, View } from '@tarojs/components'
import { useState } from 'react'
import type { Candidate, Job } from '../../types/jobs'
import { candidates, closeMyJob, confirmHire, invite, myJob, recordDeparture } from '../../services/jobs'
import { errorMessage } from '../../services/request'
import { showDate, today } from '../../utils/date'
import { maskName, perkLabels, wageText } from '../../utils/jobs'
import BigButton from '../../components/BigButton'
import { YesNo } from '../../components/Chips'
import ErrorBanner from '../../components/ErrorBanner'
import Field from '../../components/Field'
import PageHeader from '../../components/PageHeader'
import Sheet from '../../components/Sheet'
import { useSubmit } from '../../components/useSubmit'

/** One job of the employer: its state, and the people who applied (masked), with invite / hire / departure. */
export default function EmployerJob() {
  const router = useRouter()
  const id = (router.params && router.params.id) || ''
  const [job, setJob] = useState<Job | null>(null)
  const [list, setList] = useState<Candidate[]>([])
  const [error, setError] = useState('')
  const [busy, setBusy] = useState('')
  const [hiring, setHiring] = useState<Candidate | null>(null)
  const [hireDate, setHireDate] = useState(today())
  const [hireWage, setHireWage] = useState('')
  const [contract, setContract] = useState<boolean | null>(true)
  const [insurance, setInsurance] = useState<boolean | null>(true)
  const [leaving, setLeaving] = useState<Candidate | null>(null)
  const [leftAt, setLeftAt] = useState(today())
  const [leaveReason, setLeaveReason] = useState('')
  const hireForm = useSubmit()
  const leaveForm = useSubmit()

  const load = async () => {
    setError('')
    try {
      const [j, c] = await Promise.all([myJob(id), candidates(id)])
      setJob(j)
      setList(c.items || [])
    } catch (e) {
      setError(errorMessage(e))
    }
  }

  useDidShow(() => {
    load()
  })

  const doInvite = async (c: Candidate) => {
    setBusy(`invite-${c.application_id}`)
    setError('')
    try {
      await invite(c.application_id, '')
      Taro.showToast({ title: '已邀约', icon: 'success' })
      await load()
    } catch (e) {
      setError(errorMessage(e))
    } finally {
      setBusy('')
    }
  }

  const openHire = (c: Candidate) => {
    setHiring(c)
    setHireDate(today())
    setHireWage(job ? String(job.wage_min) : '')
  }

  const doHire = async () => {
    if (!hiring) return
    const wage = Number(hireWage)
    if (!hireWage || !Number.isFinite(wage) || wage <= 0) {
      hireForm.fail({ monthly_wage: '请填写月工资（元）' })
      return
    }
    const r = await hireForm.run(() =>
      confirmHire(id, {
        labourer_id: hiring.labourer_id,
        hired_at: hireDate,
        monthly_wage: Math.round(wage),
        contract: !!contract,
        social_insurance: !!insurance
      })
    )
    if (r.ok) {
      setHiring(null)
      Taro.showToast({ title: '已确认录用', icon: 'success' })
      await load()
    }
  }

  const doLeave = async () => {
    if (!leaving || !leaving.hire) return
    const hireId = leaving.hire.id
    const r = await leaveForm.run(() => recordDeparture(hireId, leftAt, leaveReason.trim()))
    if (r.ok) {
      setLeaving(null)
      Taro.showToast({ title: '已登记离职', icon: 'success' })
      await load()
    }
  }

  const doClose = async () => {
    const ok = await Taro.showModal({ title: '停止招聘', content: '停止后这个岗位不再推荐给务工人员，确定吗？' })
    if (!ok.confirm) return
    setBusy('close')
    try {
      setJob(await closeMyJob(id))
    } catch (e) {
      setError(errorMessage(e))
    } finally {
      setBusy('')
    }
  }

  return (
    <View className='page' data-testid='employer-job-page'>
      <PageHeader title='岗位与报名人员' back />
      <ErrorBanner message={error} />
      {job ? (
        <View className='card'>
          <View className='row-head'>
            <View className='big-name'>{job.title}</View>
            <View className='tag' data-testid='job-status'>
              {job.status_label}
            </View>
          </View>
          <View className='muted'>
            {wageText(job.wage_min, job.wage_max)} · {job.place_name}
          </View>
          <View className='muted'>
            招{job.headcount}人，已录用{job.filled}人 · 有效期到 {showDate(job.valid_until)}
          </View>
          {perkLabels(job).length ? <View className='muted'>{perkLabels(job).join('、')}</View> : null}
          {job.status === 'pending' ? <View className='muted'>县专班审核中，通过后才会推荐给务工人员。</View> : null}
          {job.status === 'rejected' ? <View className='field-error'>未通过：{job.reject_reason}</View> : null}
          {job.status === 'open' ? (
            <BigButton tone='plain' size='small' loading={busy === 'close'} onClick={doClose} testid='job-close'>
              停止招聘
            </BigButton>
          ) : null}
        </View>
      ) : null}
      <View className='section-title'>报名人员（{list.length}）</View>
      <View className='muted'>为保护个人信息，姓名、电话已部分隐藏；录用后由村干部协助联系。</View>
      {job && !list.length ? <View className='muted center'>还没有人报名</View> : null}
      {list.map((c) => (
        <View key={c.application_id} className='card' data-testid='candidate' data-labourer-id={c.labourer_id}>
          <View className='row-head'>
            <View className='big-name' data-testid='candidate-name'>
              {maskName(c.name)}
            </View>
            <View className={`tag ${c.status === 'hired' ? 'tag-ok' : ''}`} data-testid='candidate-status'>
              {c.status === 'submitted' ? c.kind_label : c.status_label}
            </View>
          </View>
          <View className='muted'>
            {c.age > 0 ? `${c.age}岁` : ''} · {c.labour_capacity_label}
            {c.skill_level_label ? ` · 技能${c.skill_level_label}` : ''}
          </View>
          <View className='muted'>电话：{c.phone_masked}</View>
          <View className='muted'>{c.village_name}</View>
          <View className='muted'>
            {c.kind_label}于 {showDate(c.applied_at)} · 现在：{c.current_status_label}
          </View>
          {c.hire ? (
            <View className='muted' data-testid='candidate-hire'>
              {showDate(c.hire.hired_at)} 上岗，月工资{c.hire.monthly_wage}元
              {c.hire.left_at ? `，${showDate(c.hire.left_at)} 离职` : ''}
            </View>
          ) : null}
          <View className='btn-row'>
            {c.status === 'submitted' ? (
              <BigButton tone='plain' size='small' loading={busy === `invite-${c.application_id}`} onClick={() => doInvite(c)} testid='candidate-invite'>
                邀约面谈
              </BigButton>
            ) : null}
            {c.kind === 'apply' && (c.status === 'submitted' || c.status === 'invited') && job && job.status === 'open' ? (
              <BigButton tone='green' size='small' onClick={() => openHire(c)} testid='candidate-hire-open'>
                确认录用
              </BigButton>
            ) : null}
            {c.status === 'hired' && c.hire && !c.hire.left_at ? (
              <BigButton tone='grey' size='small' onClick={() => setLeaving(c)} testid='candidate-leave-open'>
                登记离职
              </BigButton>
            ) : null}
          </View>
          {c.kind === 'interest' && c.status !== 'hired' ? <View className='muted'>只表示了感兴趣，邀约后本人报名才能录用。</View> : null}
        </View>
      ))}

      <Sheet visible={!!hiring} title={`确认录用 ${hiring ? maskName(hiring.name) : ''}`} onClose={() => setHiring(null)} tall>
        <ErrorBanner message={hireForm.formError} />
        <Field label='上岗日期' name='hired_at' required error={hireForm.fieldErrors.hired_at}>
          <Picker mode='date' value={hireDate} end={today()} onChange={(e) => setHireDate(e.detail.value)}>
            <View className='input' data-testid='hire-date'>
              {hireDate}
            </View>
          </Picker>
        </Field>
        <Field label='月工资（元）' name='monthly_wage' required error={hireForm.fieldErrors.monthly_wage}>
          <Input className='input' type='number' value={hireWage} onInput={(e) => setHireWage(e.detail.value)} data-testid='hire-wage' />
        </Field>
        <Field label='签订劳动合同' name='contract'>
          <YesNo value={contract} onChange={setContract} testidPrefix='hire-contract' />
        </Field>
        <Field label='缴纳社保' name='social_insurance'>
          <YesNo value={insurance} onChange={setInsurance} testidPrefix='hire-insurance' />
        </Field>
        <BigButton tone='green' loading={hireForm.busy} onClick={doHire} testid='hire-confirm'>
          确认录用
        </BigButton>
      </Sheet>

      <Sheet visible={!!leaving} title={`登记离职 ${leaving ? maskName(leaving.name) : ''}`} onClose={() => setLeaving(null)}>
        <ErrorBanner message={leaveForm.formError} />
        <Field label='离职日期' name='left_at' required error={leaveForm.fieldErrors.left_at}>
          <Picker mode='date' value={leftAt} end={today()} onChange={(e) => setLeftAt(e.detail.value)}>
            <View className='input' data-testid='leave-date'>
              {leftAt}
            </View>
          </Picker>
        </Field>
        <Field label='离职原因' name='reason' error={leaveForm.fieldErrors.reason}>
          <Input className='input' value={leaveReason} onInput={(e) => setLeaveReason(e.detail.value)} placeholder='例如 合同到期' />
        </Field>
        <BigButton tone='grey' loading={leaveForm.busy} onClick={doLeave} testid='leave-confirm'>
          确认离职
        </BigButton>
      </Sheet>
    </View>
  )
}
