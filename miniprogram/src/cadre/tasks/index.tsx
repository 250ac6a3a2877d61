import Taro, { useDidShow } from '@tarojs/taro'
import { Text, View } from '@tarojs/components'
import { useEffect, useState } from 'react'
import type { Task, TaskList, TaskTab } from '../../types/verify'
import { getTasks } from '../../services/verify'
import { errorMessage } from '../../services/request'
import { showDate, thisMonth } from '../../utils/date'
import { listDrafts, type Draft } from '../lib/drafts'
import { startSyncLoop, syncPending } from '../lib/sync'
import BigButton from '../../components/BigButton'
import ErrorBanner from '../../components/ErrorBanner'
import PageHeader from '../../components/PageHeader'
import SyncBadge from '../components/SyncBadge'

export const TABS: Array<{ tab: TaskTab; label: string }> = [
  { tab: 'due', label: '待核实' },
  { tab: 'overdue', label: '已逾期' },
  { tab: 'unreachable', label: '联系不上' },
  { tab: 'self_reports', label: '自报待核实' },
  { tab: 'new_returnees', label: '新返乡' }
]

const formUrl = (id: string) => `/cadre/form/index?labourer_id=${encodeURIComponent(id)}`

/** 本月核实任务: the cadre's labourers for the month by tab, and the drafts on this phone. */
export default function TasksPage() {
  const [tab, setTab] = useState<TaskTab>('due')
  const [data, setData] = useState<TaskList | null>(null)
  const [drafts, setDrafts] = useState<Draft[]>(listDrafts())
  const [loading, setLoading] = useState(false)
  const [error, setError] = useState('')

  const load = async (t: TaskTab) => {
    setLoading(true)
    setError('')
    try {
      setData(await getTasks(t, thisMonth()))
    } catch (e) {
      setError(`${errorMessage(e)}。手机上的草稿仍可打开和填写。`)
    } finally {
      setLoading(false)
    }
  }

  useDidShow(() => {
    setDrafts(listDrafts())
    load(tab)
  })

  useEffect(() => startSyncLoop(() => setDrafts(listDrafts())), [])

  const pick = (t: TaskTab) => {
    setTab(t)
    load(t)
  }

  const open = (t: Task) => Taro.navigateTo({ url: formUrl(t.labourer.id) })
  const unsent = drafts.filter((d) => d.sync !== 'submitted')
  const sent = drafts.filter((d) => d.sync === 'submitted')

  return (
    <View className='page' data-testid='cadre-tasks'>
      <PageHeader title='本月核实任务' back />
      {data ? (
        <View className='muted'>
          {data.month ? showDate(data.month) : ''} · 每月20日前交专班确认{data.deadline ? `（截止 ${showDate(data.deadline)}）` : ''}
        </View>
      ) : null}

      {drafts.length ? (
        <View className='card' data-testid='drafts'>
          <View className='row-head'>
            <Text className='section-title' style={{ margin: 0 }}>
              手机上的表（{unsent.length} 份未交）
            </Text>
          </View>
          {[...unsent, ...sent].map((d) => (
            <View key={d.labourer_id} className='draft-row' data-testid={`draft-${d.labourer_id}`} onClick={() => Taro.navigateTo({ url: formUrl(d.labourer_id) })}>
              <Text className='row-name'>{d.person.name}</Text>
              <SyncBadge state={d.sync} testid={`draft-sync-${d.labourer_id}`} />
              <View className='muted'>{d.sync === 'pending' ? d.last_error || '等网络恢复后自动上传' : `改于 ${showDate(d.updated_at)} ${d.updated_at.slice(11, 16)}`}</View>
            </View>
          ))}
          {drafts.some((d) => d.sync === 'pending') ? (
            <BigButton tone='orange' size='small' onClick={() => syncPending().then(() => setDrafts(listDrafts()))} testid='sync-now'>
              现在上传
            </BigButton>
          ) : null}
        </View>
      ) : null}

      <View className='tabs'>
        {TABS.map((t) => (
          <View key={t.tab} className={`tab ${tab === t.tab ? 'tab-on' : ''}`} onClick={() => pick(t.tab)} data-testid={`tab-${t.tab}`}>
            {t.label}
            {data && data.counts && data.counts[t.tab] !== undefined ? <Text className='tab-count'>{data.counts[t.tab]}</Text> : null}
          </View>
        ))}
      </View>
      <ErrorBanner message={error} />
      {loading ? <View className='muted center'>正在读取…</View> : null}
      {!loading && data && data.items.length === 0 ? <View className='muted center'>这一栏没有人</View> : null}
      {data
        ? data.items.map((t) => {
            const d = drafts.find((x) => x.labourer_id === t.labourer.id)
            return (
              <View key={t.labourer.id} className='row-card' data-testid={`task-${t.labourer.id}`}>
                <View className='row-head' onClick={() => open(t)}>
                  <Text className='row-name'>{t.labourer.name}</Text>
                  {t.state_label ? <Text className={`tag ${t.state === 'due' || t.state === 'rejected' ? 'tag-warn' : t.state === 'confirmed' ? 'tag-ok' : ''}`}>{t.state_label}</Text> : null}
                  {t.overdue ? <Text className='tag sync-conflict'>已逾期</Text> : null}
                  {t.new_return ? <Text className='tag tag-warn'>新返乡</Text> : null}
                  {t.pending_reports ? <Text className='tag tag-warn'>自报待核实 {t.pending_reports}</Text> : null}
                  {d ? <SyncBadge state={d.sync} /> : null}
                </View>
                <View className='row-status' onClick={() => open(t)}>
                  {t.labourer.status_label}
                </View>
                <View className='muted'>
                  {t.labourer.village_name} · {t.labourer.id_masked}
                </View>
                {t.reject_reason ? <View className='field-error'>专班退回：{t.reject_reason}</View> : null}
                <View className='row-actions'>
                  <View className='chip chip-small chip-on' onClick={() => open(t)} data-testid={`task-open-${t.labourer.id}`}>
                    {d && d.sync !== 'submitted' ? '继续填表' : '填表核实'}
                  </View>
                  <View className='chip chip-small' onClick={() => Taro.navigateTo({ url: `/cadre/household/index?labourer_id=${encodeURIComponent(t.labourer.id)}` })}>
                    看全家
                  </View>
                </View>
              </View>
            )
          })
        : null}
    </View>
  )
}
