import { useDidShow } from '@tarojs/taro'
import { Text, View } from '@tarojs/components'
import { useState } from 'react'
import type { Claim } from '../types/subsidies'
import { employerClaims } from '../services/subsidies'
import { errorMessage } from '../services/request'
import { showDate } from '../utils/date'
import { money } from '../utils/subsidies'
import ErrorBanner from '../components/ErrorBanner'
import PageHeader from '../components/PageHeader'
import ClaimTag from '../components/subsidy/ClaimTag'
import ConditionList from '../components/subsidy/ConditionList'
import '../components/subsidy/subsidy.css'

/** 帮扶车间吸纳就业奖补: the employer's own list, generated and decided by the county task force. */
export default function EmployerSubsidyPage() {
  const [items, setItems] = useState<Claim[] | null>(null)
  const [total, setTotal] = useState(0)
  const [error, setError] = useState('')

  useDidShow(() => {
    setError('')
    employerClaims()
      .then((p) => {
        setItems(p.items)
        setTotal(p.total)
      })
      .catch((e) => setError(errorMessage(e)))
  })

  const sum = (items || []).reduce((n, c) => n + (c.state === 'rejected' ? 0 : c.amount_fen), 0)
  const paid = (items || []).reduce((n, c) => n + (c.state === 'paid' ? c.amount_fen : 0), 0)
  return (
    <View className='page' data-testid='employer-subsidy'>
      <PageHeader title='吸纳就业奖补' back />
      <ErrorBanner message={error} />
      <View className='muted'>
        本单位吸纳本省脱贫劳动力、当年务工满6个月的，按人给予奖补。名单由县专班根据台账生成和审核，单位无需申报。
      </View>
      {items && items.length > 0 ? (
        <View className='pc-totals'>
          <View className='pc-total'>
            名单<View className='pc-total-num'>{total}人</View>
          </View>
          <View className='pc-total'>
            应发<View className='pc-total-num'>{money(sum)}</View>
          </View>
          <View className='pc-total'>
            已发放<View className='pc-total-num'>{money(paid)}</View>
          </View>
        </View>
      ) : null}
      {items === null && !error ? <View className='muted center'>正在读取…</View> : null}
      {items && items.length === 0 ? <View className='muted center' data-testid='employer-subsidy-empty'>还没有奖补名单</View> : null}
      {(items || []).map((c) => (
        <View key={c.id} className='row-card' data-testid={`emp-claim-${c.id}`}>
          <View className='row-head'>
            <Text className='row-name'>{c.labourer_name}</Text>
            <Text className='muted'>　{c.year}年</Text>
            <View style={{ marginLeft: 'auto' }}>
              <ClaimTag state={c.state} label={c.state_label} />
            </View>
          </View>
          <View className='claim-line'>
            <Text className='claim-amount-small'>{money(c.amount_fen)}</Text>
            {c.decided_at ? <Text className='muted'>　审核于 {showDate(c.decided_at)}</Text> : null}
          </View>
          {c.failed_conditions.length > 0 ? <ConditionList conditions={c.failed_conditions} /> : null}
          {c.reason ? <View className='muted'>说明：{c.reason}</View> : null}
        </View>
      ))}
    </View>
  )
}
