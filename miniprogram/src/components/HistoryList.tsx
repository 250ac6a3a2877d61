import { Text, View } from '@tarojs/components'
import type { HistoryItem } from '../types/api'
import { showDate } from '../utils/date'

/** HistoryList shows past reports, newest first as the server sends them. */
export default function HistoryList({ items }: { items: HistoryItem[] }) {
  if (!items || items.length === 0) return <View className='muted center'>还没有记录</View>
  return (
    <View className='history'>
      {items.map((h) => (
        <View key={h.id} className='history-item'>
          <View className='history-head'>
            <Text className='history-kind'>{h.kind_label}</Text>
            <Text className='history-date'>{showDate(h.created_at)}</Text>
          </View>
          {h.summary ? <View className='history-summary'>{h.summary}</View> : null}
          {h.review_label ? <Text className={`tag ${h.review === 'pending' ? 'tag-warn' : 'tag-ok'}`}>{h.review_label}</Text> : null}
        </View>
      ))}
    </View>
  )
}
