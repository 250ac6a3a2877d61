import { Text, View } from '@tarojs/components'
import { useState } from 'react'
import type { FormValues } from '../../types/verify'
import { differences, merge, type Pick } from '../lib/conflict'
import BigButton from '../../components/BigButton'

interface Props {
  mine: FormValues
  theirs: FormValues
  onResolve: (merged: FormValues) => void
  busy?: boolean
}

/**
 * ConflictView: the ledger changed after the form was prefilled. Both versions side by side,
 * one row per field that differs; the cadre taps the value to keep on each row (their own by
 * default) and sends again against the ledger's new version. Nothing is overwritten silently.
 */
export default function ConflictView(props: Props) {
  const diffs = differences(props.mine, props.theirs)
  const [picks, setPicks] = useState<Record<string, Pick>>({})
  const pickOf = (path: string): Pick => picks[path] || 'mine'
  const all = (p: Pick) => setPicks(Object.fromEntries(diffs.map((d) => [d.path, p])))

  return (
    <View className='conflict' data-testid='conflict-view'>
      <View className='conflict-title'>台账在您填表后被改过了</View>
      <View className='muted'>请逐项选择要保留的内容，再重新提交。</View>
      {diffs.length === 0 ? <View className='muted'>两边内容相同，直接重新提交即可。</View> : null}
      <View className='conflict-head'>
        <Text className='conflict-k'>项目</Text>
        <Text className='conflict-col' onClick={() => all('mine')}>
          我填的（全选）
        </Text>
        <Text className='conflict-col' onClick={() => all('theirs')}>
          台账现在（全选）
        </Text>
      </View>
      {diffs.map((d) => (
        <View key={d.path} className='conflict-row' data-testid={`conflict-${d.path}`}>
          <Text className='conflict-k'>{d.label}</Text>
          <View
            className={`conflict-col conflict-cell ${pickOf(d.path) === 'mine' ? 'conflict-on' : ''}`}
            onClick={() => setPicks({ ...picks, [d.path]: 'mine' })}
            data-testid={`conflict-mine-${d.path}`}
          >
            {d.mine}
          </View>
          <View
            className={`conflict-col conflict-cell ${pickOf(d.path) === 'theirs' ? 'conflict-on' : ''}`}
            onClick={() => setPicks({ ...picks, [d.path]: 'theirs' })}
            data-testid={`conflict-theirs-${d.path}`}
          >
            {d.theirs}
          </View>
        </View>
      ))}
      <BigButton tone='orange' loading={props.busy} onClick={() => props.onResolve(merge(props.mine, props.theirs, picks))} testid='conflict-resubmit'>
        用选好的内容重新提交
      </BigButton>
    </View>
  )
}
