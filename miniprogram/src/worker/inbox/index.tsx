import Taro, { useDidShow } from '@tarojs/taro'
import { View } from '@tarojs/components'
import { useState } from 'react'
import type { Message, SMSConsent } from '../../types/jobs'
import { inbox, markRead, setSMSConsent, smsConsent } from '../../services/inbox'
import { errorMessage } from '../../services/request'
import { showDate } from '../../utils/date'
import ErrorBanner from '../../components/ErrorBanner'
import PageHeader from '../../components/PageHeader'
import Toggle from '../../components/Toggle'

/** Pages a message may open; anything else stays on the inbox. */
const KNOWN_LINKS = ['/worker/jobs/recommended', '/worker/jobs/detail', '/worker/home/index']

/** The worker's inbox: every notice sent (岗位推荐, 服务进展), unread ones first in bold; SMS consent. */
export default function InboxPage() {
  const [items, setItems] = useState<Message[]>([])
  const [unread, setUnread] = useState(0)
  const [consent, setConsent] = useState<SMSConsent | null>(null)
  const [loading, setLoading] = useState(true)
  const [saving, setSaving] = useState(false)
  const [error, setError] = useState('')

  const load = async () => {
    setError('')
    try {
      const [p, c] = await Promise.all([inbox(), smsConsent().catch(() => null)])
      setItems(p.items || [])
      setUnread(p.unread || 0)
      setConsent(c)
    } catch (e) {
      setError(errorMessage(e))
    } finally {
      setLoading(false)
    }
  }

  useDidShow(() => {
    load()
  })

  const open = async (m: Message) => {
    if (!m.read) {
      try {
        const r = await markRead(m.id)
        setItems((list) => list.map((x) => (x.id === m.id ? r : x)))
        setUnread((n) => Math.max(0, n - 1))
      } catch {
        // Reading still works when marking fails.
      }
    }
    const path = (m.link || '').split('?')[0]
    if (KNOWN_LINKS.indexOf(path) >= 0) Taro.navigateTo({ url: m.link })
  }

  const toggleSMS = async (on: boolean) => {
    setSaving(true)
    setError('')
    try {
      setConsent(await setSMSConsent(on))
      Taro.showToast({ title: on ? '已开启短信提醒' : '已关闭短信提醒', icon: 'none' })
    } catch (e) {
      setError(errorMessage(e))
    } finally {
      setSaving(false)
    }
  }

  return (
    <View className='page' data-testid='inbox'>
      <PageHeader title='我的消息' back />
      <ErrorBanner message={error} />
      {consent ? (
        <View className='card'>
          <Toggle
            on={consent.consented}
            label='有合适岗位时发短信告诉我'
            hint={consent.has_phone ? '可以随时关掉' : '还没有登记手机号，暂时收不到短信'}
            disabled={saving}
            testid='sms-consent'
            onChange={toggleSMS}
          />
        </View>
      ) : null}
      <View className='section-title'>
        消息
        {unread > 0 ? (
          <View className='badge' data-testid='inbox-unread'>
            {unread}
          </View>
        ) : null}
      </View>
      {loading ? <View className='muted center'>正在读取…</View> : null}
      {!loading && !items.length ? <View className='muted center'>还没有消息</View> : null}
      {items.map((m) => (
        <View key={m.id} className={`msg-card ${m.read ? '' : 'msg-unread'}`} data-testid='inbox-message' onClick={() => open(m)}>
          <View className='row-head'>
            <View className='msg-title'>
              {m.read ? '' : '● '}
              {m.title}
            </View>
            <View className='tag'>{m.kind_label}</View>
          </View>
          <View className='msg-body'>{m.body}</View>
          <View className='msg-time'>{showDate(m.created_at)}</View>
        </View>
      ))}
    </View>
  )
}
