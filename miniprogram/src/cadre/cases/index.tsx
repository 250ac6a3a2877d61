import Taro, { useDidHide, useDidShow, usePullDownRefresh } from '@tarojs/taro'
import { Input, View } from '@tarojs/components'
import { useEffect, useRef, useState } from 'react'
import type { ReturnCase } from '../../types/jobs'
import { caseAction, declineCase, listCases, DECLINE_REASONS, type CaseFilter } from '../../services/cases'
import { errorMessage } from '../../services/request'
import { caseStage } from '../../utils/countdown'
import BigButton from '../../components/BigButton'
import Chips from '../../components/Chips'
import ErrorBanner from '../../components/ErrorBanner'
import Field from '../../components/Field'
import PageHeader from '../../components/PageHeader'
import Sheet from '../../components/Sheet'
import CaseCard, { type CaseTap } from '../../components/CaseCard'

const TABS: { key: CaseFilter; label: string }[] = [
  { key: 'open', label: '跟踪中' },
  { key: 'placed', label: '已上岗' },
  { key: 'declined', label: '已结束' },
  { key: 'all', label: '全部' }
]

const STAGE_ORDER = { overdue: 0, third: 1, second: 2, first: 3, closed: 4 }

/** The cadre's 72-hour board: every returnee who wants work, the most urgent first, with live countdowns. */
export default function CaseBoard() {
  const [tab, setTab] = useState<CaseFilter>('open')
  const [items, setItems] = useState<ReturnCase[]>([])
  const [now, setNow] = useState(Date.now())
  const [loading, setLoading] = useState(true)
  const [error, setError] = useState('')
  const [busy, setBusy] = useState<Record<string, string>>({})
  const [done, setDone] = useState<Record<string, string[]>>({})
  const [declining, setDeclining] = useState<ReturnCase | null>(null)
  const [reason, setReason] = useState('')
  const [note, setNote] = useState('')
  const [declineError, setDeclineError] = useState('')
  const [declineBusy, setDeclineBusy] = useState(false)
  const timer = useRef<any>(null)

  const load = async (which: CaseFilter = tab) => {
    setError('')
    try {
      const p = await listCases(which)
      setItems(p.items || [])
      setNow(Date.now())
    } catch (e) {
      setError(errorMessage(e))
    } finally {
      setLoading(false)
      Taro.stopPullDownRefresh()
    }
  }

  // The countdown ticks every second while the page shows.
  const startTick = () => {
    if (!timer.current) timer.current = setInterval(() => setNow(Date.now()), 1000)
  }
  const stopTick = () => {
    if (timer.current) clearInterval(timer.current)
    timer.current = null
  }
  useEffect(() => stopTick, [])
  useDidShow(() => {
    load()
    startTick()
  })
  useDidHide(stopTick)
  usePullDownRefresh(() => {
    load()
  })

  const pickTab = (t: CaseFilter) => {
    setTab(t)
    setLoading(true)
    load(t)
  }

  const act = async (c: ReturnCase, kind: CaseTap) => {
    if (kind === 'decline') {
      setDeclining(c)
      setReason('')
      setNote('')
      setDeclineError('')
      return
    }
    setBusy((b) => ({ ...b, [c.id]: kind }))
    setError('')
    try {
      const jobIds = kind === 'delivered' ? (c.recommendations || []).slice(0, 3).map((r) => r.job_id) : []
      await caseAction(c.id, kind, '', jobIds)
      setDone((d) => ({ ...d, [c.id]: [...(d[c.id] || []), kind] }))
      Taro.showToast({ title: '已记录', icon: 'success' })
      load()
    } catch (e) {
      setError(errorMessage(e))
    } finally {
      setBusy((b) => ({ ...b, [c.id]: '' }))
    }
  }

  const submitDecline = async () => {
    if (!declining) return
    if (!reason) {
      setDeclineError('请选择原因')
      return
    }
    if (reason === 'other' && !note.trim()) {
      setDeclineError('请写明原因')
      return
    }
    setDeclineBusy(true)
    setDeclineError('')
    try {
      await declineCase(declining.id, reason, note.trim())
      setDeclining(null)
      Taro.showToast({ title: '已结束跟踪', icon: 'success' })
      load()
    } catch (e) {
      setDeclineError(errorMessage(e))
    } finally {
      setDeclineBusy(false)
    }
  }

  const sorted = [...items].sort((a, b) => {
    const sa = caseStage(a.opened_at, now, { dueAt: a.due_at, overdue: a.overdue, closed: a.status !== 'open' })
    const sb = caseStage(b.opened_at, now, { dueAt: b.due_at, overdue: b.overdue, closed: b.status !== 'open' })
    return STAGE_ORDER[sa.stage] - STAGE_ORDER[sb.stage] || sa.remainingMs - sb.remainingMs
  })

  return (
    <View className='page' data-testid='case-board'>
      <PageHeader title='72小时就业服务' back />
      <View className='muted'>返乡想找工作的人，72小时内要帮他上岗。绿色24小时内，黄色24–48小时，橙色48–72小时，红色已超时。</View>
      <View className='tabs'>
        {TABS.map((t) => (
          <View key={t.key} className={`tab ${tab === t.key ? 'tab-on' : ''}`} data-testid={`case-tab-${t.key}`} onClick={() => pickTab(t.key)}>
            {t.label}
          </View>
        ))}
      </View>
      <ErrorBanner message={error} />
      {loading ? <View className='muted center'>正在读取…</View> : null}
      {!loading && !sorted.length ? (
        <View className='card center muted' data-testid='case-board-empty'>
          {tab === 'open' ? '现在没有需要跟踪的返乡人员 👍' : '没有记录'}
        </View>
      ) : null}
      {sorted.map((c) => (
        <CaseCard key={c.id} c={c} now={now} busy={busy[c.id]} done={done[c.id]} onAct={act} />
      ))}

      <Sheet visible={!!declining} title={`${declining ? declining.labourer_name : ''} 不需要帮扶了？`} onClose={() => setDeclining(null)} tall>
        {declineError ? <View className='field-error'>{declineError}</View> : null}
        <Field label='原因' name='reason' required>
          <View className='chips-column'>
            <Chips options={DECLINE_REASONS} value={reason} onChange={setReason} testidPrefix='decline-reason' />
          </View>
        </Field>
        <Field label='说明' name='note' required={reason === 'other'}>
          <Input className='input' value={note} onInput={(e) => setNote(e.detail.value)} placeholder='例如 已在县城找到工作' />
        </Field>
        <BigButton tone='grey' loading={declineBusy} onClick={submitDecline} testid='decline-confirm'>
          结束跟踪
        </BigButton>
      </Sheet>
    </View>
  )
}
