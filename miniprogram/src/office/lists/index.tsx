import Taro, { useLoad } from '@tarojs/taro'
import { Text, View } from '@tarojs/components'
import { useState } from 'react'
import type { ListCode, ListPeople, ListRegions, ListsSummary } from '../../types/lists'
import { exportList, getListPeople, getListRegions, getListsSummary } from '../../services/lists'
import { errorMessage } from '../../services/request'
import { showDate } from '../../utils/date'
import BigButton from '../../components/BigButton'
import Chips from '../../components/Chips'
import ErrorBanner from '../../components/ErrorBanner'
import PageHeader from '../../components/PageHeader'

interface Crumb {
  code: string
  name: string
}

/**
 * 六张清单: the six counts for a region and work year, the chosen list per child region
 * (tap a row to drill down to it), the people on it, and the Excel export.
 */
export default function ListsPage() {
  const thisYear = new Date().getMonth() + 1 >= 10 ? new Date().getFullYear() + 1 : new Date().getFullYear()
  const [year, setYear] = useState(thisYear)
  const [path, setPath] = useState<Crumb[]>([])
  const [list, setList] = useState<ListCode>('labour_base')
  const [summary, setSummary] = useState<ListsSummary | null>(null)
  const [regions, setRegions] = useState<ListRegions | null>(null)
  const [people, setPeople] = useState<ListPeople | null>(null)
  const [error, setError] = useState('')
  const [exporting, setExporting] = useState(false)

  const region = path.length ? path[path.length - 1].code : undefined

  const load = async (r: string | undefined, l: ListCode, y: number) => {
    setError('')
    try {
      const [s, g, p] = await Promise.all([getListsSummary({ region: r, year: y }), getListRegions(l, { region: r, year: y }), getListPeople(l, { region: r, year: y }, 1, 20)])
      setSummary(s)
      setRegions(g)
      setPeople(p)
      if (!r && s.region && s.region.code && path.length === 0) setPath([{ code: s.region.code, name: s.region.name }])
    } catch (e) {
      setError(errorMessage(e))
    }
  }

  useLoad(() => {
    load(undefined, list, year)
  })

  const pickList = (l: ListCode) => {
    setList(l)
    load(region, l, year)
  }
  const drill = (code: string, name: string) => {
    const next = [...path, { code, name }]
    setPath(next)
    load(code, list, year)
  }
  const back = (i: number) => {
    const next = path.slice(0, i + 1)
    setPath(next)
    load(next[next.length - 1].code, list, year)
  }
  const more = async () => {
    if (!people) return
    try {
      const p = await getListPeople(list, { region, year }, people.page + 1, 20)
      setPeople({ ...p, items: [...people.items, ...p.items] })
    } catch (e) {
      setError(errorMessage(e))
    }
  }
  const doExport = async () => {
    setExporting(true)
    try {
      const name = summary ? `${summary.region.name}${year}年${(summary.lists.find((x) => x.code === list) || { name: list }).name}` : list
      await exportList(list, { region, year }, name)
      Taro.showToast({ title: '已导出', icon: 'success' })
    } catch (e) {
      setError(errorMessage(e))
    } finally {
      setExporting(false)
    }
  }

  const listName = summary ? (summary.lists.find((x) => x.code === list) || { name: '' }).name : ''
  return (
    <View className='page' data-testid='lists'>
      <PageHeader title='六张清单' back />
      <View className='crumbs'>
        {path.map((c, i) => (
          <Text key={c.code} className='crumb' onClick={() => back(i)} data-testid={`crumb-${c.code}`}>
            {i ? ' › ' : ''}
            {c.name}
          </Text>
        ))}
      </View>
      <Chips
        options={[thisYear, thisYear - 1, thisYear - 2].map((y) => ({ code: String(y), label: `${y}年度` }))}
        value={String(year)}
        onChange={(c) => {
          setYear(Number(c))
          load(region, list, Number(c))
        }}
        testidPrefix='year'
      />
      {summary ? (
        <View className='muted'>
          {showDate(summary.period_start)}至{showDate(summary.period_end)} · 数据截至 {showDate(summary.data_date)} · {summary.source}
        </View>
      ) : null}
      <ErrorBanner message={error} />
      <View className='stat-grid'>
        {(summary ? summary.lists : []).map((l) => (
          <View key={l.code} className={`stat ${l.code === list ? 'stat-on' : ''}`} onClick={() => pickList(l.code)} data-testid={`list-${l.code}`}>
            <View className='stat-num' data-testid={`count-${l.code}`}>
              {l.count}
            </View>
            <View className='stat-label'>{l.name}</View>
          </View>
        ))}
      </View>
      {summary && list === 'returned' ? <View className='muted'>其中再输出 {summary.re_exported} 人</View> : null}
      {summary && list === 'last_year_not_out' ? (
        <View className='muted'>
          其中有外出计划 {summary.last_year_not_out_planned} 人；零务工家庭 {summary.households.zero_households} 户，务工人数减少 {summary.households.reduced_households} 户
        </View>
      ) : null}
      <BigButton tone='green' size='small' loading={exporting} onClick={doExport} testid='list-export'>
        导出“{listName}”Excel
      </BigButton>
      {regions && regions.items.length ? (
        <View className='table'>
          <View className='tr tr-head'>
            <View className='td'>下级地区</View>
            <View className='td td-num'>{listName}</View>
          </View>
          {regions.items.map((r) => (
            <View key={r.code} className='tr' data-testid={`region-row-${r.code}`} onClick={() => (r.has_children || r.code.length <= 12 ? drill(r.code, r.name) : undefined)}>
              <View className={`td ${r.code ? 'td-link' : ''}`}>{r.name}</View>
              <View className='td td-num'>
                {r.count}
                {r.re_exported !== undefined ? `（再输出 ${r.re_exported}）` : ''}
              </View>
            </View>
          ))}
        </View>
      ) : null}
      {people ? (
        <View>
          <View className='section-title'>
            {listName} · {people.total} 人
          </View>
          {people.items.map((p) => (
            <View key={p.id} className='row-card' data-testid={`person-${p.id}`} onClick={() => Taro.navigateTo({ url: `/office/labourer/index?id=${encodeURIComponent(p.id)}` })}>
              <View className='row-head'>
                <Text className='row-name'>{p.name}</Text>
                {p.at_work ? <Text className='tag tag-ok'>在岗{p.place_scope_label ? `·${p.place_scope_label}` : ''}</Text> : null}
                {p.return_date ? <Text className='tag tag-warn'>返乡 {showDate(p.return_date)}</Text> : null}
                {p.willing ? <Text className='tag'>有意愿外出</Text> : null}
              </View>
              <View className='muted'>
                {p.village_name} · {p.id_masked}
              </View>
              <View className='muted'>
                去年 {p.last_year_months} 个月 {p.last_year_income} 元 · 今年 {p.this_year_months} 个月 {p.this_year_income} 元
              </View>
            </View>
          ))}
          {people.items.length < people.total ? (
            <BigButton tone='plain' size='small' onClick={more}>
              再看 20 个
            </BigButton>
          ) : null}
        </View>
      ) : null}
    </View>
  )
}
