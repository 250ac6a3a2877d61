import { View, Text } from '@tarojs/components'
import type { Target } from '../../../types/reports'
import { fmtInt, fmtPct, gapWords, progressPct, targetTitle } from '../../../utils/dashboard'

interface Props {
  items: Target[]
  region: string // the dashboard's region: its own targets first, its children's after
}

/** TargetList shows each target (seed 002 二 一超过、两不少于) as a progress bar with the gap in words. */
export default function TargetList({ items, region }: Props) {
  if (!items.length) {
    return (
      <View className='dash-empty' data-testid='targets-empty'>
        本年度还没有设定目标（由县专班设定）
      </View>
    )
  }
  const own = items.filter((t) => t.region_code === region)
  const children = items.filter((t) => t.region_code !== region)
  return (
    <View data-testid='targets'>
      {[...own, ...children].map((t) => {
        const id = `${t.metric}-${t.region_code}`
        return (
          <View key={t.id} className='dash-target' data-testid={`target-${id}`}>
            <View className='dash-target-title'>
              {targetTitle(t)}
              {t.region_code !== region ? <Text className='dash-target-region'>{t.region_name}</Text> : null}
            </View>
            <View className='dash-progress'>
              <View className={`dash-progress-fill ${t.met ? 'dash-progress-met' : ''}`} style={{ width: `${progressPct(t.current, t.value)}%` }} />
            </View>
            <View className='dash-target-line'>
              <View>
                <Text className='dash-target-now' data-testid={`target-current-${id}`}>
                  {fmtInt(t.current)}
                </Text>
                <Text className='dash-progress-pct'> 人 · 完成 {fmtPct(t.ratio)}</Text>
              </View>
              <Text className={`dash-target-gap ${t.met ? 'dash-target-met' : ''}`} data-testid={`target-gap-${id}`}>
                {gapWords(t)}
              </Text>
            </View>
            {t.note ? <View className='dash-note'>{t.note}</View> : null}
          </View>
        )
      })}
    </View>
  )
}
