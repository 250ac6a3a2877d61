import { ScrollView, View } from '@tarojs/components'

export interface Column<R> {
  key: string
  label: string
  value: (r: R) => string
}

interface Props<R extends { code: string; name: string; has_children: boolean }> {
  testid: string
  columns: Column<R>[]
  totalName: string
  total: R
  rows: R[]
  onDrill: (code: string, name: string) => void
}

/**
 * FigureTable is a compact report table: the region itself first (合计 — always the sum of
 * the rows below), then each child region; it scrolls sideways on a phone. Tapping a child
 * with children drills down.
 */
export default function FigureTable<R extends { code: string; name: string; has_children: boolean }>(props: Props<R>) {
  const { testid, columns } = props
  return (
    <ScrollView scrollX className='dash-scroll'>
      <View className='dash-table' data-testid={testid}>
        <View className='dash-tr dash-tr-head'>
          <View className='dash-td dash-td-name'>地区</View>
          {columns.map((c) => (
            <View key={c.key} className='dash-td'>
              {c.label}
            </View>
          ))}
        </View>
        <View className='dash-tr dash-tr-total' data-testid={`${testid}-total`}>
          <View className='dash-td dash-td-name'>{props.totalName}</View>
          {columns.map((c) => (
            <View key={c.key} className='dash-td' data-testid={`${testid}-total-${c.key}`}>
              {c.value(props.total)}
            </View>
          ))}
        </View>
        {props.rows.map((r) => (
          <View key={r.code} className='dash-tr' data-testid={`${testid}-row-${r.code}`}>
            <View
              className={`dash-td dash-td-name ${r.has_children ? 'dash-td-link' : ''}`}
              onClick={() => (r.has_children ? props.onDrill(r.code, r.name) : undefined)}
            >
              {r.name}
            </View>
            {columns.map((c) => (
              <View key={c.key} className='dash-td' data-testid={`${testid}-${r.code}-${c.key}`}>
                {c.value(r)}
              </View>
            ))}
          </View>
        ))}
      </View>
    </ScrollView>
  )
}
