import { useDidShow } from '@tarojs/taro'
import { Picker, View } from '@tarojs/components'
import { useState } from 'react'
import type { Completion } from '../../types/verify'
import { getCompletion } from '../../services/verify'
import { errorMessage } from '../../services/request'
import { showDate, thisMonth } from '../../utils/date'
import Chips from '../../components/Chips'
import ErrorBanner from '../../components/ErrorBanner'
import PageHeader from '../../components/PageHeader'


/** 核实完成情况: this month's verification per village and per cadre. */
export default function CompletionPage() {
  const [month, setMonth] = useState(thisMonth())
  const [by, setBy] = useState<'villages' | 'cadres'>('villages')
  const [data, setData] = useState<Completion | null>(null)
  const [error, setError] = useState('')

  const load = async (m: string) => {
    setError('')
    try {
      setData(await getCompletion(m))
    } catch (e) {
      setError(errorMessage(e))
    }
  }

  useDidShow(() => {
    load(month)
  })

  return (
    <View className='page' data-testid='completion'>
      <PageHeader title='核实完成情况' back />
      <Picker mode='date' fields='month' value={month} onChange={(e) => { setMonth(e.detail.value); load(e.detail.value) }}>
        <View className='input picker-box'>{showDate(month)} · 点这里换月份</View>
      </Picker>
      <Chips
        options={[
          { code: 'villages', label: '按村' },
          { code: 'cadres', label: '按村干部' }
        ]}
        value={by}
        onChange={(c) => setBy(c as 'villages' | 'cadres')}
        testidPrefix='completion-by'
      />
      <ErrorBanner message={error} />
      {data ? <View className='muted'>截止 {showDate(data.deadline)}（每月20日前由专班确认）</View> : null}
      {by === 'villages' ? (
        <View className='table'>
          <View className='tr tr-head'>
            <View className='td'>村</View>
            <View className='td td-num'>应核实</View>
            <View className='td td-num'>已提交</View>
            <View className='td td-num'>已确认</View>
            <View className='td td-num'>联系不上</View>
            <View className='td td-num'>完成率</View>
          </View>
          {(data ? data.villages : []).map((r) => (
            <View key={r.village_code} className='tr' data-testid={`completion-${r.village_code}`}>
              <View className='td'>{r.village_name}</View>
              <View className='td td-num'>{r.labourers}</View>
              <View className='td td-num'>{r.submitted}</View>
              <View className='td td-num'>{r.confirmed}</View>
              <View className='td td-num'>{r.unreachable}</View>
              <View className='td td-num'>
                {r.rate}%
                <View className='progress'>
                  <View className='progress-fill' style={{ width: `${Math.min(100, r.rate)}%` }} />
                </View>
              </View>
            </View>
          ))}
          {data && data.villages.length === 0 ? <View className='muted center'>没有数据</View> : null}
        </View>
      ) : (
        <View className='table'>
          <View className='tr tr-head'>
            <View className='td'>村干部</View>
            <View className='td td-num'>已提交</View>
            <View className='td td-num'>已确认</View>
            <View className='td td-num'>被退回</View>
            <View className='td td-num'>联系不上</View>
          </View>
          {(data ? data.cadres : []).map((r) => (
            <View key={r.account_id} className='tr' data-testid={`completion-cadre-${r.account_id}`}>
              <View className='td'>{r.name}</View>
              <View className='td td-num'>{r.submitted}</View>
              <View className='td td-num'>{r.confirmed}</View>
              <View className='td td-num'>{r.rejected}</View>
              <View className='td td-num'>{r.unreachable}</View>
            </View>
          ))}
          {data && data.cadres.length === 0 ? <View className='muted center'>本月还没有人提交</View> : null}
        </View>
      )}
    </View>
  )
}
