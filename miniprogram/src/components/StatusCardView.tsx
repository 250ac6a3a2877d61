import { Text, View } from '@tarojs/components'
import type { StatusCard } from '../types/api'
import { reviewTag, statusLabel, statusTone, yesNo, yuan } from '../utils/labels'
import { showDate } from '../utils/date'

interface Props {
  card: StatusCard | null
  loading?: boolean
}

/** StatusCardView is the big card with the labourer's current situation. */
export default function StatusCardView({ card, loading }: Props) {
  if (!card) {
    return (
      <View className='status-card status-grey' data-testid='status-card'>
        <View className='status-label'>{loading ? '正在读取…' : '还没有报告情况'}</View>
      </View>
    )
  }
  const { current, spell, last_return: lastReturn, plan } = card
  const tag = reviewTag(current)
  return (
    <View className={`status-card status-${statusTone(current.kind)}`} data-testid='status-card'>
      <View className='status-top'>
        <Text className='status-caption'>现在的情况</Text>
        {tag ? (
          <Text className='tag tag-warn' data-testid='status-review-tag'>
            {tag}
          </Text>
        ) : null}
      </View>
      <View className='status-label' data-testid='status-label'>
        {statusLabel(current)}
      </View>
      {current.since ? <View className='status-since'>从 {showDate(current.since)} 起</View> : null}
      {current.kind === 'working' && spell ? (
        <View className='status-lines'>
          {spell.employer_name ? <View>单位：{spell.employer_name}</View> : null}
          {spell.place_name ? <View>地点：{spell.place_name}</View> : null}
          {spell.monthly_wage ? <View>月工资：{yuan(spell.monthly_wage)}</View> : null}
          <View>
            劳动合同：{yesNo(spell.contract)}　社保：{yesNo(spell.social_insurance)}
          </View>
        </View>
      ) : null}
      {current.kind === 'returned' && lastReturn ? (
        <View className='status-lines'>
          {lastReturn.prev_place_name ? <View>从 {lastReturn.prev_place_name} 回来</View> : null}
          {lastReturn.reason_label ? <View>原因：{lastReturn.reason_label}</View> : null}
        </View>
      ) : null}
      {current.kind === 'plan_out' && plan ? (
        <View className='status-lines'>
          {plan.dest_name ? <View>想去：{plan.dest_name}</View> : null}
          {plan.job ? <View>想干：{plan.job}</View> : null}
          {plan.expected_wage ? <View>期望：{yuan(plan.expected_wage)}</View> : null}
          {plan.planned_month ? <View>打算：{showDate(plan.planned_month)}出去</View> : null}
        </View>
      ) : null}
      {current.kind === 'no_plan' && plan && plan.no_plan_reason_label ? (
        <View className='status-lines'>
          <View>原因：{plan.no_plan_reason_label}</View>
        </View>
      ) : null}
    </View>
  )
}
