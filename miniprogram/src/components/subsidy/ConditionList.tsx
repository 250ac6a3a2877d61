import './subsidy.css'
import { Text, View } from '@tarojs/components'
import type { Condition } from '../../types/subsidies'

interface Props {
  conditions: Condition[]
  testid?: string
}

/**
 * ConditionList shows each eligibility condition with the server's Chinese reason: ✓ met and
 * proven by the ledger, ? met by what was declared but not yet proven, ✗ not met.
 */
export default function ConditionList(props: Props) {
  return (
    <View data-testid={props.testid}>
      {props.conditions.map((c) => {
        const cls = c.met ? (c.proven ? 'cond-ok' : 'cond-wait') : 'cond-bad'
        const icon = c.met ? (c.proven ? '✓' : '?') : '✗'
        return (
          <View key={c.code} className='cond' data-testid={`cond-${c.code}`} data-met={c.met ? 'yes' : 'no'}>
            <Text className={`cond-icon ${cls}`}>{icon}</Text>
            <View>
              <Text className={cls}>{c.label}</Text>
              <Text>：{c.reason}</Text>
              {c.stage === 'settle' ? <Text className='muted'>（结算时核对）</Text> : null}
            </View>
          </View>
        )
      })}
    </View>
  )
}
