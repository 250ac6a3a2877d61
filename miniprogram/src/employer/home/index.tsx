import Taro, { useDidShow } from '@tarojs/taro'
import { View } from '@tarojs/components'
import { useState } from 'react'
import type { Employer, Job } from '../../types/jobs'
import { myEmployer, myJobs } from '../../services/jobs'
import { ApiError, errorMessage } from '../../services/request'
import { showDate } from '../../utils/date'
import { ME_PAGE } from '../../utils/nav'
import { wageText } from '../../utils/jobs'
import BigButton from '../../components/BigButton'
import ErrorBanner from '../../components/ErrorBanner'
import PageHeader from '../../components/PageHeader'

const STATUS_TAG: Record<string, string> = { open: 'tag-ok', pending: 'tag-warn', rejected: 'tag-warn' }

/** Employer home: the organisation's registration state, then its jobs with their status. */
export default function EmployerHome() {
  const [employer, setEmployer] = useState<Employer | null>(null)
  const [missing, setMissing] = useState(false)
  const [jobs, setJobs] = useState<Job[]>([])
  const [loading, setLoading] = useState(true)
  const [error, setError] = useState('')

  const load = async () => {
    setError('')
    try {
      const e = await myEmployer()
      setEmployer(e)
      setMissing(false)
      if (e.status === 'verified') setJobs((await myJobs()).items || [])
    } catch (e) {
      if (e instanceof ApiError && (e.status === 404 || e.status === 409)) setMissing(true)
      else setError(errorMessage(e))
    } finally {
      setLoading(false)
    }
  }

  useDidShow(() => {
    load()
  })

  return (
    <View className='page' data-testid='employer-home'>
      <PageHeader title='招聘管理' right={{ label: '我的', onClick: () => Taro.navigateTo({ url: ME_PAGE }) }} />
      <ErrorBanner message={error} />
      {loading ? <View className='muted center'>正在读取…</View> : null}
      {missing ? (
        <View className='card' data-testid='employer-missing'>
          <View className='lead'>还没有登记用人单位</View>
          <View className='muted'>登记后由县专班审核，通过后就可以发布岗位、招人。</View>
          <BigButton tone='green' testid='employer-register' onClick={() => Taro.navigateTo({ url: '/employer/register/index' })}>
            登记用人单位
          </BigButton>
        </View>
      ) : null}
      {employer ? (
        <View className='card' data-testid='employer-card'>
          <View className='row-head'>
            <View className='big-name'>{employer.name}</View>
            <View className={`tag ${employer.status === 'verified' ? 'tag-ok' : 'tag-warn'}`} data-testid='employer-status'>
              {employer.status_label}
            </View>
          </View>
          <View className='muted'>
            {employer.kind_label} · {employer.region_name}
          </View>
          <View className='muted'>统一社会信用代码：{employer.credit_code}</View>
          {employer.status === 'pending' ? <View className='muted'>县专班审核中，通过后就可以发布岗位。</View> : null}
          {employer.status === 'rejected' ? (
            <View className='field-error'>未通过：{employer.reject_reason}。请联系县专班。</View>
          ) : null}
        </View>
      ) : null}
      {employer && employer.status === 'verified' ? (
        <View>
          <BigButton tone='orange' icon='➕' testid='post-job' onClick={() => Taro.navigateTo({ url: '/employer/post/index' })}>
            发布新岗位
          </BigButton>
          <View className='section-title'>我们的岗位</View>
          {!jobs.length ? <View className='muted center'>还没有发布岗位</View> : null}
          {jobs.map((j) => (
            <View
              key={j.id}
              className='row-card'
              data-testid='employer-job'
              data-job-id={j.id}
              onClick={() => Taro.navigateTo({ url: `/employer/job/index?id=${encodeURIComponent(j.id)}` })}
            >
              <View className='row-head'>
                <View className='row-name'>{j.title}</View>
                <View className={`tag ${STATUS_TAG[j.status] || ''}`} data-testid='employer-job-status'>
                  {j.status === 'closed' && j.close_reason_label ? `${j.status_label}（${j.close_reason_label}）` : j.status_label}
                </View>
              </View>
              <View className='muted'>
                {wageText(j.wage_min, j.wage_max)} · 招{j.headcount}人，已录用{j.filled}人
              </View>
              <View className='muted'>
                {j.place_name} · 有效期到 {showDate(j.valid_until)}
              </View>
              {j.status === 'rejected' && j.reject_reason ? <View className='field-error'>未通过：{j.reject_reason}</View> : null}
            </View>
          ))}
        </View>
      ) : null}
    </View>
  )
}
