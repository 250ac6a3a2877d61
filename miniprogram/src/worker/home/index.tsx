import Taro, { useDidShow } from '@tarojs/taro'
import { Text, View } from '@tarojs/components'
import { useState } from 'react'
import type { ReportKind, StatusCard } from '../../types/api'
import { getMyStatus, submitReport } from '../../services/me'
import { unreadCount } from '../../services/inbox'
import { errorMessage } from '../../services/request'
import { getMe } from '../../services/session'
import { INBOX_PAGE, JOBS_PAGE, ME_PAGE } from '../../utils/nav'
import BigButton from '../../components/BigButton'
import ErrorBanner from '../../components/ErrorBanner'
import HistoryList from '../../components/HistoryList'
import PageHeader from '../../components/PageHeader'
import ReportButtons from '../../components/ReportButtons'
import Sheet from '../../components/Sheet'
import StatusCardView from '../../components/StatusCardView'

const FORM_PAGES: Partial<Record<ReportKind, string>> = {
  new_job: '/worker/new-job/index',
  plan_out: '/worker/plan-out/index',
  no_plan: '/worker/no-plan/index'
}

/** Worker home: the status card, five report buttons, and the history. */
export default function WorkerHome() {
  const me = getMe()
  const [card, setCard] = useState<StatusCard | null>(null)
  const [loading, setLoading] = useState(true)
  const [error, setError] = useState('')
  const [busy, setBusy] = useState<ReportKind | ''>('')
  const [returnedOpen, setReturnedOpen] = useState(false)
  const [returnedBusy, setReturnedBusy] = useState<'' | 'yes' | 'no'>('')
  const [unread, setUnread] = useState(0)

  const load = async () => {
    setError('')
    try {
      setCard(await getMyStatus())
    } catch (e) {
      setError(errorMessage(e))
    } finally {
      setLoading(false)
    }
  }

  // Reload on every show: the form pages submit and navigate back here.
  useDidShow(() => {
    load()
    unreadCount().then(setUnread)
  })

  const onPick = async (kind: ReportKind) => {
    if (kind === 'returned') {
      setReturnedOpen(true)
      return
    }
    const page = FORM_PAGES[kind]
    if (page) {
      Taro.navigateTo({ url: page })
      return
    }
    setBusy(kind)
    setError('')
    try {
      setCard(await submitReport({ kind: 'still_working' }))
      Taro.showToast({ title: '已报告：在岗', icon: 'success' })
    } catch (e) {
      setError(errorMessage(e))
    } finally {
      setBusy('')
    }
  }

  const reportReturned = async (wantsWork: boolean) => {
    setReturnedBusy(wantsWork ? 'yes' : 'no')
    setError('')
    try {
      setCard(await submitReport({ kind: 'returned', wants_work: wantsWork }))
      setReturnedOpen(false)
      // Matching runs on the queue: the first recommendations arrive within seconds.
      if (wantsWork) setTimeout(() => unreadCount().then(setUnread), 3000)
      Taro.showToast({ title: '已报告：失业返乡', icon: 'success' })
    } catch (e) {
      setReturnedOpen(false)
      setError(errorMessage(e))
    } finally {
      setReturnedBusy('')
    }
  }

  return (
    <View className='page' data-testid='worker-home'>
      <PageHeader title='我的务工情况' right={{ label: '我的', onClick: () => Taro.navigateTo({ url: ME_PAGE }) }} />
      {me ? <View className='greeting'>{me.name}，你好</View> : null}
      <ErrorBanner message={error} />
      <StatusCardView card={card} loading={loading} />
      <View className='btn-row'>
        <BigButton tone='green' icon='💼' testid='open-jobs' onClick={() => Taro.navigateTo({ url: JOBS_PAGE })}>
          找工作
        </BigButton>
        <BigButton tone='plain' icon='✉️' testid='open-inbox' onClick={() => Taro.navigateTo({ url: INBOX_PAGE })}>
          <Text>消息</Text>
          {unread > 0 ? (
            <Text className='badge' data-testid='inbox-badge'>
              {unread > 99 ? '99+' : unread}
            </Text>
          ) : null}
        </BigButton>
      </View>
      <BigButton tone='blue' icon='🚌' testid='open-claims' onClick={() => Taro.navigateTo({ url: '/worker/claims/index' })}>
        交通补助
      </BigButton>
      <View className='section-title'>情况有变化？点一下告诉我们</View>
      <ReportButtons onPick={onPick} busy={busy} />
      <View className='section-title'>以前的记录</View>
      <HistoryList items={card ? card.history : []} />

      <Sheet visible={returnedOpen} title='回来了，还想找工作吗？' onClose={() => setReturnedOpen(false)}>
        <BigButton
          tone='orange'
          size='huge'
          testid='returned-wants-work'
          loading={returnedBusy === 'yes'}
          disabled={returnedBusy === 'no'}
          onClick={() => reportReturned(true)}
        >
          想找工作
        </BigButton>
        <BigButton
          tone='grey'
          size='huge'
          testid='returned-no-work'
          loading={returnedBusy === 'no'}
          disabled={returnedBusy === 'yes'}
          onClick={() => reportReturned(false)}
        >
          暂时不找
        </BigButton>
      </Sheet>
    </View>
  )
}
