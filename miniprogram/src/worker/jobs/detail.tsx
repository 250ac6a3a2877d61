import Taro, { useLoad, useRouter } from '@tarojs/taro'
import { View } from '@tarojs/components'
import { useState } from 'react'
import type { Job, MyApplication } from '../../types/jobs'
import { apply, myApplications, workerJob } from '../../services/jobs'
import { ApiError, errorMessage } from '../../services/request'
import { askSubscribe, prepareSubscribe } from '../../services/subscribe'
import { reasonsFor } from '../../utils/reasoncache'
import { showDate } from '../../utils/date'
import { perkLabels, wageText } from '../../utils/jobs'
import BigButton from '../../components/BigButton'
import ErrorBanner from '../../components/ErrorBanner'
import { ReasonTags } from '../../components/JobCard'
import PageHeader from '../../components/PageHeader'

function Row({ k, v }: { k: string; v: string }) {
  return (
    <View className='detail-row'>
      <View className='k'>{k}</View>
      <View className='v'>{v}</View>
    </View>
  )
}

function appState(a: MyApplication | null): string {
  if (!a) return ''
  return a.status === 'submitted' ? `已${a.kind_label}` : a.status_label
}

/** Job detail for a worker: everything about the job, why it fits, and 感兴趣 / 报名. */
export default function JobDetailPage() {
  const router = useRouter()
  const id = (router.params && router.params.id) || ''
  const [job, setJob] = useState<Job | null>(null)
  const [app, setApp] = useState<MyApplication | null>(null)
  const [error, setError] = useState('')
  const [notice, setNotice] = useState('')
  const [busy, setBusy] = useState<'' | 'interest' | 'apply'>('')

  useLoad(async () => {
    prepareSubscribe()
    try {
      const [j, mine] = await Promise.all([workerJob(id), myApplications().catch(() => null)])
      setJob(j)
      if (mine) setApp((mine.items || []).find((a) => a.job_id === id) || null)
    } catch (e) {
      setError(errorMessage(e))
    }
  })

  const send = async (kind: 'interest' | 'apply') => {
    setBusy(kind)
    setError('')
    setNotice('')
    // WeChat asks for subscribe permission only from a tap: ask first, then apply.
    if (kind === 'apply') await askSubscribe()
    try {
      const a = await apply(id, kind)
      setApp(a)
      Taro.showToast({ title: kind === 'apply' ? '报名成功' : '已告诉单位', icon: 'success' })
    } catch (e) {
      // A second application answers 409 with the one already made: show both.
      if (e instanceof ApiError && e.status === 409 && e.body && e.body.error && e.body.error.data) {
        setApp(e.body.error.data as MyApplication)
        setNotice(e.message)
      } else {
        setError(errorMessage(e))
      }
    } finally {
      setBusy('')
    }
  }

  const reasons = reasonsFor(id)
  const state = appState(app)
  const applied = !!app && app.kind === 'apply'

  return (
    <View className='page' data-testid='job-detail'>
      <PageHeader title='岗位详情' back />
      <ErrorBanner message={error} />
      {!job && !error ? <View className='muted center'>正在读取…</View> : null}
      {job ? (
        <View>
          <View className='card'>
            <View className='job-card-head'>
              <View className='job-title' data-testid='job-detail-title'>
                {job.title}
              </View>
              {state ? (
                <View className='tag tag-ok' data-testid='application-status'>
                  {state}
                </View>
              ) : null}
            </View>
            <View className='job-wage'>{wageText(job.wage_min, job.wage_max)}</View>
            <View className='muted'>{job.employer_name}</View>
            {reasons.length ? (
              <View>
                <View className='muted'>为什么推荐给你：</View>
                <ReasonTags reasons={reasons} />
              </View>
            ) : null}
          </View>
          <View className='card'>
            <Row k='工作地点' v={job.place_name} />
            <Row k='工种' v={job.industry === 'other' && job.industry_other ? job.industry_other : job.industry_label} />
            <Row k='招聘人数' v={`${job.headcount}人（还差${job.remaining}人）`} />
            <Row k='年龄要求' v={`${job.min_age}–${job.max_age}岁`} />
            {job.capacity_labels.length ? <Row k='劳动能力' v={job.capacity_labels.join('、')} /> : null}
            {job.min_skill ? <Row k='技能要求' v={`${job.min_skill_label}及以上`} /> : null}
            <Row k='吃住' v={job.housing || job.meals ? perkLabels({ housing: job.housing, meals: job.meals }).join('、') : '不提供'} />
            <Row k='交通' v={job.transport ? '点对点输送（统一包车送到厂）' : '自行前往'} />
            <Row k='招到' v={showDate(job.valid_until)} />
            {job.description ? <View className='msg-body'>{job.description}</View> : null}
          </View>
          {notice ? (
            <View className='error-banner' data-testid='apply-message'>
              {notice}
            </View>
          ) : null}
          {job.status === 'open' ? (
            <View>
              <BigButton
                tone={applied ? 'plain' : 'orange'}
                size='huge'
                testid='job-apply'
                loading={busy === 'apply'}
                disabled={busy === 'interest'}
                onClick={() => send('apply')}
              >
                {applied ? '✓ 已报名' : '报名'}
              </BigButton>
              {!app ? (
                <BigButton tone='plain' testid='job-interest' loading={busy === 'interest'} disabled={busy === 'apply'} onClick={() => send('interest')}>
                  感兴趣，先了解一下
                </BigButton>
              ) : null}
              <View className='muted center'>报名后单位会联系你，村干部也会帮你跟进。</View>
            </View>
          ) : (
            <View className='card center muted'>这个岗位{job.status_label}</View>
          )}
        </View>
      ) : null}
    </View>
  )
}
