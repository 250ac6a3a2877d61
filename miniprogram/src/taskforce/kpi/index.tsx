import { useDidHide, useDidShow } from '@tarojs/taro'
import { View } from '@tarojs/components'
import { useRef, useState } from 'react'
import type { CaseKPI, ReturnCase } from '../../types/jobs'
import { caseKPIs, escalatedCases } from '../../services/cases'
import { errorMessage } from '../../services/request'
import { showDate } from '../../utils/date'
import CaseCard from '../../components/CaseCard'
import ErrorBanner from '../../components/ErrorBanner'
import PageHeader from '../../components/PageHeader'

function Kpi({ num, label, tone, testid }: { num: string; label: string; tone?: 'good' | 'bad'; testid?: string }) {
  return (
    <View className={`kpi ${tone ? `kpi-${tone}` : ''}`} data-testid={testid}>
      <View className='kpi-num'>{num}</View>
      <View className='kpi-label'>{label}</View>
    </View>
  )
}

function pct(v: number | null): string {
  return v === null || v === undefined ? '—' : `${Math.round(v * 1000) / 10}%`
}

function hours(v: number | null): string {
  if (v === null || v === undefined) return '—'
  return v < 1 ? `${Math.round(v * 60)}分钟` : `${Math.round(v * 10) / 10}小时`
}

/** Task force KPIs of the 72-hour service, and the overdue cases escalated to them. */
export default function KpiPage() {
  const [kpi, setKpi] = useState<CaseKPI | null>(null)
  const [cases, setCases] = useState<ReturnCase[]>([])
  const [error, setError] = useState('')
  const [now, setNow] = useState(Date.now())
  const timer = useRef<any>(null)

  useDidShow(async () => {
    if (!timer.current) timer.current = setInterval(() => setNow(Date.now()), 1000)
    setError('')
    try {
      const [k, e] = await Promise.all([caseKPIs(), escalatedCases('open')])
      setKpi(k)
      setCases(e.items || [])
    } catch (err) {
      setError(errorMessage(err))
    }
  })
  useDidHide(() => {
    if (timer.current) clearInterval(timer.current)
    timer.current = null
  })

  return (
    <View className='page' data-testid='kpi-page'>
      <PageHeader title='72小时服务成效' back />
      <ErrorBanner message={error} />
      {kpi ? (
        <View>
          <View className='muted'>
            {kpi.region_name} · {showDate(kpi.from)} 至 {showDate(kpi.to)}
          </View>
          <View className='kpi-grid'>
            <Kpi
              num={String(kpi.willing_open)}
              label='有就业意愿仍未上岗（目标：0）'
              tone={kpi.willing_open === 0 ? 'good' : 'bad'}
              testid='kpi-willing-open'
            />
            <Kpi num={String(kpi.open)} label='正在跟踪' testid='kpi-open' />
            <Kpi num={String(kpi.placed_within_72h)} label={`72小时内上岗（${pct(kpi.placed_within_72h_rate)}）`} tone='good' testid='kpi-placed-72h' />
            <Kpi num={String(kpi.overdue)} label='超过72小时' tone={kpi.overdue ? 'bad' : undefined} testid='kpi-overdue' />
            <Kpi num={hours(kpi.median_hours_to_placement)} label='上岗用时（中位数）' testid='kpi-median' />
            <Kpi num={String(kpi.placed)} label='已上岗（合计）' testid='kpi-placed' />
            <Kpi num={String(kpi.opened)} label='新开跟踪' />
            <Kpi num={String(kpi.declined)} label='不需要帮扶' />
          </View>
        </View>
      ) : null}
      <View className='section-title'>超时上报的返乡人员（{cases.length}）</View>
      {!cases.length ? <View className='card center muted'>没有超时未上岗的人员 👍</View> : null}
      {cases.map((c) => (
        <CaseCard key={c.id} c={c} now={now} />
      ))}
    </View>
  )
}
