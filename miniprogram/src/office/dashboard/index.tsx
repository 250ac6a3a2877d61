import Taro, { useLoad } from '@tarojs/taro'
import { Text, View } from '@tarojs/components'
import { useRef, useState } from 'react'
import type { ProvinceTable, ProvinceTableRow, RegionTable, RegionTableRow, Targets, Trend } from '../../types/reports'
import { exportProvinceTable, exportRegionTable, getProvinceTable, getRegionTable, getTargets, getTrend } from '../../services/reports'
import { ApiError, errorMessage } from '../../services/request'
import { getMe } from '../../services/session'
import { showDate } from '../../utils/date'
import { fmtInt, fmtPct } from '../../utils/dashboard'
import BigButton from '../../components/BigButton'
import Chips from '../../components/Chips'
import ErrorBanner from '../../components/ErrorBanner'
import PageHeader from '../../components/PageHeader'
import FigureTable, { type Column } from './components/FigureTable'
import RegionBars from './components/RegionBars'
import TargetForm from './components/TargetForm'
import TargetList from './components/TargetList'
import TrendChart from './components/TrendChart'
import './dashboard.css'

/** BUILDING_RETRY_S is how soon the dashboard asks again while the server builds a year (its Retry-After). */
const BUILDING_RETRY_S = 30

interface Crumb {
  code: string
  name: string
}

interface Data {
  regions: RegionTable
  provinces: ProvinceTable
  targets: Targets
  trend: Trend
}

const n = (v: number) => fmtInt(v)

// seed 000 附件's columns.
const regionColumns: Column<RegionTableRow>[] = [
  { key: 'last_year', label: '去年务工人数', value: (r) => n(r.last_year) },
  { key: 'not_working', label: '其中至今尚未务工就业', value: (r) => n(r.not_working) },
  { key: 'zero_households', label: '减少为0 户数', value: (r) => n(r.zero_households) },
  { key: 'zero_persons', label: '减少为0 人数', value: (r) => n(r.zero_persons) },
  { key: 'reduced_households', label: '减少不为0 户数', value: (r) => n(r.reduced_households) },
  { key: 'reduced_last_persons', label: '减少不为0 去年人数', value: (r) => n(r.reduced_last_persons) },
  { key: 'reduced_this_persons', label: '减少不为0 今年人数', value: (r) => n(r.reduced_this_persons) },
  { key: 'planned', label: '今年计划外出', value: (r) => n(r.planned) }
]

// seed 001 附件's columns.
const provinceColumns: Column<ProvinceTableRow>[] = [
  { key: 'last_year', label: '去年外出务工', value: (r) => n(r.last_year) },
  { key: 'this_year', label: '今年已外出 共计', value: (r) => n(r.this_year) },
  { key: 'ratio', label: '占去年比例', value: (r) => fmtPct(r.ratio) },
  { key: 'out_province', label: '省外', value: (r) => n(r.out_province) },
  { key: 'in_province', label: '省内县外', value: (r) => n(r.in_province) },
  { key: 'in_county', label: '县内', value: (r) => n(r.in_county) },
  { key: 'point_to_point', label: '跨省点对点输送', value: (r) => n(r.point_to_point) },
  { key: 'willing_not_out', label: '未外出但有意愿', value: (r) => n(r.willing_not_out) }
]

function Kpi(props: { num: string; label: string; extra?: string; main?: boolean; testid: string }) {
  return (
    <View className={`dash-kpi ${props.main ? 'dash-kpi-main' : ''}`}>
      <View className='dash-kpi-num' data-testid={props.testid}>
        {props.num}
      </View>
      <View className='dash-kpi-label'>{props.label}</View>
      {props.extra ? <View className='dash-kpi-extra'>{props.extra}</View> : null}
    </View>
  )
}

/**
 * 数据看板: for a region and work year, the headline figures, the targets with what is still
 * missing, 今年已外出务工 per child region (tap a bar to drill down), the monthly trend against
 * last year, both tables of the seeds (the region itself first, always the sum of its rows) and
 * their Excel exports. For officials, the county task force and admins.
 */
export default function DashboardPage() {
  const [path, setPath] = useState<Crumb[]>([])
  const [year, setYear] = useState<number | undefined>(undefined)
  const [maxYear, setMaxYear] = useState<number | undefined>(undefined)
  const [data, setData] = useState<Data | null>(null)
  const [loading, setLoading] = useState(false)
  const [error, setError] = useState('')
  const [asked, setAsked] = useState<string | undefined>(undefined) // the region last asked for
  const [exporting, setExporting] = useState('')
  const [targetForm, setTargetForm] = useState(false)
  const me = getMe()
  const canSetTargets = !!me && (me.role === 'taskforce' || me.role === 'admin')
  const seq = useRef(0)

  const region = path.length ? path[path.length - 1].code : undefined

  const load = async (r: string | undefined, y: number | undefined, nextPath?: Crumb[]) => {
    const my = ++seq.current
    setLoading(true)
    setError('')
    setAsked(r)
    try {
      const s = { region: r, year: y }
      const [regions, provinces, targets, trend] = await Promise.all([getRegionTable(s), getProvinceTable(s), getTargets(s), getTrend(s)])
      if (my !== seq.current) return // a later tap won
      setData({ regions, provinces, targets, trend })
      if (!maxYear || provinces.year > maxYear) setMaxYear(provinces.year)
      // The last crumb is the region answered for (its name may not be known before).
      const crumbs = nextPath && nextPath.length ? nextPath.slice(0, -1) : []
      setPath([...crumbs, { code: provinces.region.code, name: provinces.region.name }])
    } catch (e) {
      if (my !== seq.current) return
      if (e instanceof ApiError && e.code === 'report_building') {
        // The year's rows are being built on the server: look again by itself.
        setError(`${errorMessage(e)}（${BUILDING_RETRY_S}秒后自动刷新）`)
        setTimeout(() => {
          if (my === seq.current) load(r, y, nextPath)
        }, BUILDING_RETRY_S * 1000)
      } else setError(errorMessage(e))
    } finally {
      if (my === seq.current) setLoading(false)
    }
  }

  useLoad((params) => {
    const r = params && params.region ? String(params.region) : undefined
    const y = params && params.year ? Number(params.year) : undefined
    if (y) setYear(y)
    load(r, y, r ? [{ code: r, name: r }] : undefined)
  })

  const drill = (code: string, name: string) => {
    load(code, year, [...path, { code, name }])
  }
  const back = (i: number) => {
    const next = path.slice(0, i + 1)
    load(next[next.length - 1].code || undefined, year, next)
  }
  const pickYear = (y: number) => {
    setYear(y)
    load(region, y, path.length ? path : undefined)
  }
  const doExport = async (kind: 'region' | 'province') => {
    if (!data) return
    setExporting(kind)
    try {
      const sc = data.provinces
      const s = { region: sc.region.code || undefined, year: sc.year }
      if (kind === 'region') await exportRegionTable(s, `${sc.region.name}${sc.year}年度未务工就业情况统计表`)
      else await exportProvinceTable(s, `${sc.region.name}${sc.year}年度外出务工情况表`)
      Taro.showToast({ title: '已导出', icon: 'success' })
    } catch (e) {
      setError(errorMessage(e))
    } finally {
      setExporting('')
    }
  }

  const p = data ? data.provinces : null
  const years = maxYear ? [maxYear, maxYear - 1, maxYear - 2] : []
  const shownYear = p ? p.year : year
  return (
    <View className='page dash-page' data-testid='dashboard'>
      <PageHeader title='数据看板' back />
      <View className='crumbs' data-testid='dashboard-crumbs'>
        {path.map((c, i) => (
          <Text key={`${c.code}-${i}`} className='crumb' onClick={() => back(i)} data-testid={`crumb-${c.code || 'all'}`}>
            {i ? ' › ' : ''}
            {c.name}
          </Text>
        ))}
      </View>
      {years.length ? (
        <Chips
          options={years.map((y) => ({ code: String(y), label: `${y}年度` }))}
          value={String(shownYear || '')}
          onChange={(c) => pickYear(Number(c))}
          testidPrefix='year'
        />
      ) : null}
      {loading ? (
        <View className='dash-loading' data-testid='dashboard-loading'>
          正在加载…
        </View>
      ) : null}
      <ErrorBanner message={error} />
      {error && !loading ? (
        <BigButton tone='plain' size='small' onClick={() => load(region, year, path.length ? path : undefined)} testid='dashboard-retry'>
          重新加载
        </BigButton>
      ) : null}
      {error && !loading && asked ? (
        <BigButton tone='plain' size='small' onClick={() => load(undefined, year)} testid='dashboard-home'>
          回到我管辖的地区
        </BigButton>
      ) : null}
      {data && p ? (
        <View className={loading ? 'dash-stale' : ''} data-testid='dashboard-body' data-region={p.region.code} data-year={p.year} data-ready={loading ? '0' : '1'}>
          <View className='dash-head'>
            <View className='dash-region' data-testid='dashboard-region'>
              {p.region.path || p.region.name}
            </View>
            <View className='dash-sub' data-testid='dashboard-period'>
              {p.year}年度（{showDate(p.period_start)}至{showDate(p.period_end)}）
            </View>
            <View className='dash-sub' data-testid='dashboard-data-date'>
              数据截至 {showDate(p.data_date)} · {p.source}
            </View>
          </View>

          <View className='dash-kpis'>
            <Kpi main num={n(p.total.this_year)} label='今年已外出务工（人）' extra={`是去年的 ${fmtPct(p.total.ratio)}`} testid='kpi-this-year' />
            <Kpi num={n(p.total.last_year)} label='去年外出务工' testid='kpi-last-year' />
            <Kpi num={n(p.total.out_province)} label='省外' testid='kpi-out-province' />
            <Kpi num={n(p.total.in_province)} label='省内县外' testid='kpi-in-province' />
            <Kpi num={n(p.total.in_county)} label='县内' testid='kpi-in-county' />
            <Kpi num={n(data.regions.total.not_working)} label='去年务工、今年至今未务工' testid='kpi-not-working' />
            <Kpi num={n(p.total.willing_not_out)} label='未外出但有意愿外出' testid='kpi-willing' />
          </View>

          <View className='dash-section'>
            <View className='dash-title'>目标完成情况</View>
            <TargetList items={data.targets.items} region={p.region.code} />
            {canSetTargets && p.region.code ? (
              targetForm ? (
                <TargetForm
                  region={p.region.code}
                  regionName={p.region.name}
                  year={p.year}
                  onSaved={() => {
                    setTargetForm(false)
                    load(p.region.code, p.year, path)
                    Taro.showToast({ title: '目标已保存', icon: 'success' })
                  }}
                />
              ) : (
                <BigButton tone='plain' size='small' onClick={() => setTargetForm(true)} testid='target-open'>
                  设定目标
                </BigButton>
              )
            ) : null}
          </View>

          {p.items.length ? (
            <View className='dash-section'>
              <View className='dash-title'>各{childWord(p.region.level)}今年已外出务工人数</View>
              <View className='dash-note'>从多到少排列；点地区名称看它的下级</View>
              <RegionBars rows={p.items} onDrill={drill} />
            </View>
          ) : null}

          <View className='dash-section'>
            <View className='dash-title'>逐月趋势：今年已外出务工人数</View>
            <View className='dash-note'>每月末的人数（本月截至数据日期），与去年同月末对比</View>
            <TrendChart key={`${p.region.code}-${p.year}`} trend={data.trend} />
          </View>

          <View className='dash-section'>
            <View className='dash-title'>外出务工情况表</View>
            <View className='dash-note'>单位：人。第一行是{p.region.name}合计，等于下面各行之和</View>
            <FigureTable testid='province-table' columns={provinceColumns} totalName={`${p.region.name}（合计）`} total={{ ...p.total, code: p.region.code, name: p.region.name, has_children: false }} rows={p.items} onDrill={drill} />
          </View>

          <View className='dash-section'>
            <View className='dash-title'>未务工就业情况统计表</View>
            <View className='dash-note'>去年务工、今年至今尚未务工就业的人员和家庭。单位：人、户</View>
            <FigureTable
              testid='region-table'
              columns={regionColumns}
              totalName={`${data.regions.region.name}（合计）`}
              total={{ ...data.regions.total, code: data.regions.region.code, name: data.regions.region.name, has_children: false }}
              rows={data.regions.items}
              onDrill={drill}
            />
          </View>

          <View className='dash-exports'>
            <BigButton tone='green' size='small' loading={exporting === 'province'} onClick={() => doExport('province')} testid='export-province'>
              导出外出务工情况表（Excel）
            </BigButton>
            <BigButton tone='green' size='small' loading={exporting === 'region'} onClick={() => doExport('region')} testid='export-region'>
              导出未务工就业情况统计表（Excel）
            </BigButton>
          </View>
        </View>
      ) : null}
    </View>
  )
}

/** childWord names the child level of a region level: 市州, 县区, 乡镇, 村. */
function childWord(level: number): string {
  switch (level) {
    case 0:
      return '省'
    case 1:
      return '市州'
    case 2:
      return '县区'
    case 3:
      return '乡镇'
    default:
      return '村'
  }
}
