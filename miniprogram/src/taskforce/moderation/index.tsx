import Taro, { useDidShow } from '@tarojs/taro'
import { Input, View } from '@tarojs/components'
import { useState } from 'react'
import type { Employer, Job } from '../../types/jobs'
import { listEmployers, managedJobs, reviewEmployer, reviewJob } from '../../services/jobs'
import { errorMessage } from '../../services/request'
import { showDate } from '../../utils/date'
import { perkLabels, wageText } from '../../utils/jobs'
import BigButton from '../../components/BigButton'
import ErrorBanner from '../../components/ErrorBanner'
import Field from '../../components/Field'
import PageHeader from '../../components/PageHeader'
import Sheet from '../../components/Sheet'

type Tab = 'jobs' | 'employers'
type Target = { kind: 'job'; item: Job } | { kind: 'employer'; item: Employer }

/** Task force moderation: jobs waiting for publication and employers waiting for verification. */
export default function Moderation() {
  const [tab, setTab] = useState<Tab>('jobs')
  const [jobs, setJobs] = useState<Job[]>([])
  const [employers, setEmployers] = useState<Employer[]>([])
  const [error, setError] = useState('')
  const [loading, setLoading] = useState(true)
  const [busy, setBusy] = useState('')
  const [rejecting, setRejecting] = useState<Target | null>(null)
  const [reason, setReason] = useState('')
  const [rejectError, setRejectError] = useState('')

  const load = async () => {
    setError('')
    try {
      const [j, e] = await Promise.all([managedJobs('pending'), listEmployers('pending')])
      setJobs(j.items || [])
      setEmployers(e.items || [])
    } catch (e) {
      setError(errorMessage(e))
    } finally {
      setLoading(false)
    }
  }

  useDidShow(() => {
    load()
  })

  const approve = async (t: Target) => {
    setBusy(t.item.id)
    setError('')
    try {
      if (t.kind === 'job') await reviewJob(t.item.id, true)
      else await reviewEmployer(t.item.id, true)
      Taro.showToast({ title: t.kind === 'job' ? '已通过，岗位已发布' : '已认证', icon: 'success' })
      await load()
    } catch (e) {
      setError(errorMessage(e))
    } finally {
      setBusy('')
    }
  }

  const reject = async () => {
    if (!rejecting) return
    if (reason.trim().length < 2) {
      setRejectError('请填写不通过的原因（2到200字）')
      return
    }
    setBusy(rejecting.item.id)
    setRejectError('')
    try {
      if (rejecting.kind === 'job') await reviewJob(rejecting.item.id, false, reason.trim())
      else await reviewEmployer(rejecting.item.id, false, reason.trim())
      setRejecting(null)
      Taro.showToast({ title: '已退回', icon: 'success' })
      await load()
    } catch (e) {
      setRejectError(errorMessage(e))
    } finally {
      setBusy('')
    }
  }

  const openReject = (t: Target) => {
    setRejecting(t)
    setReason('')
    setRejectError('')
  }

  return (
    <View className='page' data-testid='moderation'>
      <PageHeader title='岗位与单位审核' back />
      <View className='tabs'>
        <View className={`tab ${tab === 'jobs' ? 'tab-on' : ''}`} data-testid='mod-tab-jobs' onClick={() => setTab('jobs')}>
          待审岗位
          {jobs.length ? <View className='tab-count'>{jobs.length}</View> : null}
        </View>
        <View className={`tab ${tab === 'employers' ? 'tab-on' : ''}`} data-testid='mod-tab-employers' onClick={() => setTab('employers')}>
          待审单位
          {employers.length ? <View className='tab-count'>{employers.length}</View> : null}
        </View>
      </View>
      <ErrorBanner message={error} />
      {loading ? <View className='muted center'>正在读取…</View> : null}
      {tab === 'jobs' && !loading && !jobs.length ? <View className='card center muted'>没有待审核的岗位</View> : null}
      {tab === 'jobs'
        ? jobs.map((j) => (
            <View key={j.id} className='card' data-testid='mod-job'>
              <View className='row-head'>
                <View className='big-name'>{j.title}</View>
                <View className='tag tag-warn'>{j.status_label}</View>
              </View>
              <View className='muted'>
                {j.employer_name}（{j.employer_kind_label}）
              </View>
              <View className='lead'>{wageText(j.wage_min, j.wage_max)}</View>
              <View className='muted'>
                {j.industry === 'other' ? j.industry_other : j.industry_label} · 招{j.headcount}人 · {j.min_age}–{j.max_age}岁
              </View>
              <View className='muted'>{j.place_name}</View>
              <View className='muted'>
                {[...perkLabels(j), j.capacity_labels.length ? `要求：${j.capacity_labels.join('、')}` : '', j.min_skill ? `技能${j.min_skill_label}以上` : '']
                  .filter(Boolean)
                  .join(' · ')}
              </View>
              <View className='muted'>有效期到 {showDate(j.valid_until)}</View>
              {j.description ? <View className='msg-body'>{j.description}</View> : null}
              <View className='btn-row'>
                <BigButton tone='green' size='small' loading={busy === j.id} onClick={() => approve({ kind: 'job', item: j })} testid='mod-job-approve'>
                  通过并发布
                </BigButton>
                <BigButton tone='plain' size='small' disabled={busy === j.id} onClick={() => openReject({ kind: 'job', item: j })} testid='mod-job-reject'>
                  不通过
                </BigButton>
              </View>
            </View>
          ))
        : null}
      {tab === 'employers' && !loading && !employers.length ? <View className='card center muted'>没有待审核的单位</View> : null}
      {tab === 'employers'
        ? employers.map((e) => (
            <View key={e.id} className='card' data-testid='mod-employer'>
              <View className='row-head'>
                <View className='big-name'>{e.name}</View>
                <View className='tag tag-warn'>{e.status_label}</View>
              </View>
              <View className='muted'>{e.kind_label}</View>
              <View className='muted'>统一社会信用代码：{e.credit_code}</View>
              <View className='muted'>
                {e.region_name} {e.address}
              </View>
              <View className='muted'>
                联系人：{e.contact_name} {e.phone_masked}
              </View>
              <View className='muted'>登记于 {showDate(e.created_at)}</View>
              <View className='btn-row'>
                <BigButton tone='green' size='small' loading={busy === e.id} onClick={() => approve({ kind: 'employer', item: e })} testid='mod-employer-approve'>
                  认证通过
                </BigButton>
                <BigButton tone='plain' size='small' disabled={busy === e.id} onClick={() => openReject({ kind: 'employer', item: e })} testid='mod-employer-reject'>
                  不通过
                </BigButton>
              </View>
            </View>
          ))
        : null}

      <Sheet visible={!!rejecting} title='不通过的原因' onClose={() => setRejecting(null)}>
        <Field label='原因（会告诉单位）' name='reason' required error={rejectError}>
          <Input className='input' value={reason} onInput={(e) => setReason(e.detail.value)} placeholder='例如 工资低于当地最低标准' data-testid='mod-reason' />
        </Field>
        <BigButton tone='danger' loading={!!rejecting && busy === rejecting.item.id} onClick={reject} testid='mod-reject-confirm'>
          确定不通过
        </BigButton>
      </Sheet>
    </View>
  )
}
