import { Text, View } from '@tarojs/components'
import { useState } from 'react'
import type { Trend } from '../../../types/reports'
import { changeWords, fmtInt, latestReached, monthDay, trendBars } from '../../../utils/dashboard'

interface Props {
  trend: Trend
}

/**
 * TrendChart is 今年已外出务工 at each month's end of the work year (blue) beside the same
 * month a year before (grey); the month in progress is striped (as of the data date). Tapping
 * a month shows its figures; a small table below has every month's numbers.
 */
export default function TrendChart({ trend }: Props) {
  const { axisMax, bars } = trendBars(trend.months)
  const [picked, setPicked] = useState<number | null>(null)
  const sel = picked !== null ? picked : Math.max(0, latestReached(trend.months))
  const b = bars[sel]
  const m = trend.months[sel]
  return (
    <View data-testid='trend-chart'>
      <View className='dash-legend'>
        <View className='dash-legend-item'>
          <View className='dash-swatch dash-swatch-this' />
          {trend.year}年度
        </View>
        <View className='dash-legend-item'>
          <View className='dash-swatch dash-swatch-last' />
          {trend.last_year}年度（去年同期）
        </View>
        <View className='dash-legend-item'>最高刻度 {fmtInt(axisMax)} 人，横轴为月份</View>
      </View>
      <View className='dash-trend-plot'>
        {bars.map((x, i) => (
          <View key={x.month} className={`dash-trend-month ${i === sel ? 'dash-trend-on' : ''}`} onClick={() => setPicked(i)} data-testid={`trend-month-${x.month}`}>
            <View className='dash-trend-pair'>
              <View className='dash-col dash-col-last' style={{ height: `${x.lastPct}%` }} />
              <View
                className={`dash-col dash-col-this ${x.partial ? 'dash-col-partial' : ''} ${x.thisValue === null ? 'dash-col-none' : ''}`}
                style={{ height: `${x.thisPct}%` }}
              />
            </View>
          </View>
        ))}
      </View>
      <View className='dash-trend-labels'>
        {bars.map((x) => (
          <View key={x.month} className='dash-trend-label'>
            {x.label.replace('月', '')}
          </View>
        ))}
      </View>
      {b && m ? (
        <View className='dash-trend-caption' data-testid='trend-caption'>
          <View>
            {m.month.slice(0, 4)}年{b.label}
            {b.partial ? `（截至${monthDay(b.asOf)}）` : '末'}
          </View>
          {b.thisValue !== null ? (
            <View>
              今年已外出务工{' '}
              <Text className='dash-trend-big' data-testid='trend-sel-this'>
                {fmtInt(b.thisValue)}
              </Text>{' '}
              人
            </View>
          ) : (
            <View>本月还没到</View>
          )}
          <View>
            去年同期（{m.last_month.slice(0, 4)}年{b.label}末）<Text data-testid='trend-sel-last'>{fmtInt(b.lastValue)}</Text> 人
          </View>
          {b.change !== null ? <View>{changeWords(b.change)}</View> : null}
        </View>
      ) : null}
      <View className='dash-scroll'>
        <View className='dash-table' data-testid='trend-table'>
          <View className='dash-tr dash-tr-head'>
            <View className='dash-td dash-td-name'>月份</View>
            <View className='dash-td'>{trend.year}年度</View>
            <View className='dash-td'>去年同期</View>
            <View className='dash-td'>增减</View>
          </View>
          {bars.map((x) => (
            <View key={x.month} className='dash-tr'>
              <View className='dash-td dash-td-name'>
                {x.label}
                {x.partial ? `（截至${monthDay(x.asOf)}）` : ''}
              </View>
              <View className='dash-td' data-testid={`trend-this-${x.month}`}>
                {x.thisValue === null ? '—' : fmtInt(x.thisValue)}
              </View>
              <View className='dash-td' data-testid={`trend-last-${x.month}`}>
                {fmtInt(x.lastValue)}
              </View>
              <View className='dash-td'>{x.change === null ? '—' : `${x.change > 0 ? '+' : ''}${fmtInt(x.change)}`}</View>
            </View>
          ))}
        </View>
      </View>
    </View>
  )
}
