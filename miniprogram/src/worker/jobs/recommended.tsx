import Taro, { useDidShow, usePullDownRefresh } from '@tarojs/taro'
import { View } from '@tarojs/components'
import { useState } from 'react'
import type { MyApplication, RecommendedJob, ReturnCase } from '../../types/jobs'
import { myApplications, recommendedJobs } from '../../services/jobs'
import { myCase } from '../../services/cases'
import { errorMessage } from '../../services/request'
import { rememberReasons } from '../../utils/reasoncache'
import { showDate } from '../../utils/date'
import { wageText } from '../../utils/jobs'
import BigButton from '../../components/BigButton'
import ErrorBanner from '../../components/ErrorBanner'
import JobCard from '../../components/JobCard'
import PageHeader from '../../components/PageHeader'

export const DETAIL_PAGE = '/worker/jobs/detail'

/** The worker's job feed: jobs that fit them, best first, each with why; then their applications. */
export default function RecommendedJobsPage() {
  const [items, setItems] = useState<RecommendedJob[]>([])
  const [apps, setApps] = useState<MyApplication[]>([])
  const [tracking, setTracking] = useState<ReturnCase | null>(null)
  const [loading, setLoading] = useState(true)
  const [error, setError] = useState('')

  const load = async () => {
    setError('')
    try {
      const [feed, mine, mc] = await Promise.all([
        recommendedJobs(20),
        myApplications().catch(() => null),
        myCase().catch(() => null)
      ])
      setItems(feed)
      for (const j of feed) rememberReasons(j.job_id, j.reasons)
      if (mine) setApps(mine.items || [])
      setTracking(mc)
    } catch (e) {
      setError(errorMessage(e))
    } finally {
      setLoading(false)
      Taro.stopPullDownRefresh()
    }
  }

  useDidShow(() => {
    load()
  })
  usePullDownRefresh(() => {
    load()
  })

  const appliedLabel: Record<string, string> = {}
  for (const a of apps) appliedLabel[a.job_id] = a.status === 'submitted' ? `已${a.kind_label}` : a.status_label

  const open = (id: string) => Taro.navigateTo({ url: `${DETAIL_PAGE}?id=${encodeURIComponent(id)}` })

  return (
    <View className='page' data-testid='job-feed'>
      <PageHeader title='给我推荐的岗位' back />
      <ErrorBanner message={error} />
      {tracking ? (
        <View className='card' data-testid='my-case'>
          <View className='lead'>村里正在帮你找工作</View>
          <View className='muted'>从 {showDate(tracking.opened_at)} 开始，72小时内帮你找到合适的岗位。看中了就点“报名”。</View>
        </View>
      ) : null}
      {loading ? <View className='muted center'>正在读取…</View> : null}
      {!loading && !items.length ? (
        <View className='card center' data-testid='job-feed-empty'>
          <View className='lead'>暂时没有合适的岗位</View>
          <View className='muted'>有新岗位会马上发消息告诉你，村干部也会联系你。</View>
        </View>
      ) : null}
      {items.map((j) => (
        <JobCard key={j.job_id} job={j} applied={appliedLabel[j.job_id]} onOpen={open} />
      ))}
      <BigButton tone='plain' size='small' onClick={load} testid='job-feed-refresh'>
        刷新
      </BigButton>
      {apps.length ? (
        <View data-testid='my-applications'>
          <View className='section-title'>我报过的岗位</View>
          {apps.map((a) => (
            <View key={a.id} className='row-card' data-testid='my-application' onClick={() => open(a.job_id)}>
              <View className='row-head'>
                <View className='row-name'>{a.job.title}</View>
                <View className={`tag ${a.status === 'hired' ? 'tag-ok' : ''}`} data-testid='my-application-status'>
                  {a.status === 'submitted' ? `已${a.kind_label}` : a.status_label}
                </View>
              </View>
              <View className='muted'>
                {a.job.employer_name} · {wageText(a.job.wage_min, a.job.wage_max)}
              </View>
              {a.hire ? <View className='muted'>上岗日期：{showDate(a.hire.hired_at)}</View> : null}
            </View>
          ))}
        </View>
      ) : null}
    </View>
  )
}
