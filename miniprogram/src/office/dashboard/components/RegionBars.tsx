import { View } from '@tarojs/components'
import type { ProvinceTableRow } from '../../../types/reports'
import { PLACES, barAxis, fmtInt, segments } from '../../../utils/dashboard'

interface Props {
  rows: ProvinceTableRow[]
  onDrill: (code: string, name: string) => void
}

/** Legend names the colours of 省外 / 省内县外 / 县内. */
export function Legend() {
  return (
    <View className='dash-legend'>
      {PLACES.map((p) => (
        <View key={p.key} className='dash-legend-item'>
          <View className={`dash-swatch dash-seg-${p.key}`} />
          {p.label}
        </View>
      ))}
    </View>
  )
}

/**
 * RegionBars is 今年已外出务工 per child region as horizontal bars split by place (seed 001
 * 附件's 省外 / 省内县外 / 县内), the biggest first; tapping a region drills down into it.
 */
export default function RegionBars({ rows, onDrill }: Props) {
  if (!rows.length) return <View className='dash-empty'>没有下级地区</View>
  const axis = barAxis(rows.map((r) => r.this_year))
  const sorted = [...rows].sort((a, b) => b.this_year - a.this_year || (a.code < b.code ? -1 : 1))
  return (
    <View data-testid='region-bars'>
      <Legend />
      {sorted.map((r) => (
        <View
          key={r.code}
          className={`dash-bar-row ${r.has_children ? 'dash-bar-link' : ''}`}
          data-testid={`bar-${r.code}`}
          onClick={() => (r.has_children ? onDrill(r.code, r.name) : undefined)}
        >
          <View className='dash-bar-name'>{r.name}</View>
          <View className='dash-bar-track'>
            {segments(r, axis).map((s) =>
              s.pct > 0 ? <View key={s.key} className={`dash-seg dash-seg-${s.key}`} style={{ width: `${s.pct}%` }} data-testid={`bar-${r.code}-${s.key}`} /> : null
            )}
          </View>
          <View className='dash-bar-num' data-testid={`bar-total-${r.code}`}>
            {fmtInt(r.this_year)}
          </View>
        </View>
      ))}
      <View className='dash-axis'>
        <View>0</View>
        <View>{fmtInt(axis)} 人</View>
      </View>
    </View>
  )
}
