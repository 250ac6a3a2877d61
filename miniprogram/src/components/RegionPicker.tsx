import { ScrollView, Text, View } from '@tarojs/components'
import { useState } from 'react'
import type { Region } from '../types/api'
import { listRegions } from '../services/regions'
import { errorMessage } from '../services/request'
import Sheet from './Sheet'
import BigButton from './BigButton'

export interface PickedRegion {
  code: string
  /** name is the whole path, e.g. "广东省 深圳市 南山区". */
  name: string
  path: Region[]
}

/** Depths of the region tree: 1 province, 2 city, 3 county, 4 town, 5 village. */
export const DEPTH = { province: 1, city: 2, county: 3, town: 4, village: 5 } as const

const DEPTH_WORDS = ['', '省', '市', '县（区）', '乡镇', '村']

interface Props {
  value: PickedRegion | null
  onChange: (v: PickedRegion) => void
  /** maxDepth: the picker closes once this depth is chosen. */
  maxDepth: number
  /** minDepth: the shallowest depth the person may stop at ("就选这里"). */
  minDepth?: number
  title: string
  placeholder?: string
  testid?: string
}

/** RegionPicker walks the region tree province → city → county → town → village. */
export default function RegionPicker(props: Props) {
  const minDepth = props.minDepth || props.maxDepth
  const [open, setOpen] = useState(false)
  const [path, setPath] = useState<Region[]>([])
  const [items, setItems] = useState<Region[]>([])
  const [loading, setLoading] = useState(false)
  const [error, setError] = useState('')

  const load = async (parent?: string): Promise<Region[]> => {
    setLoading(true)
    setError('')
    try {
      const list = await listRegions(parent)
      setItems(list)
      return list
    } catch (e) {
      setError(errorMessage(e))
      return []
    } finally {
      setLoading(false)
    }
  }

  const finish = (p: Region[]) => {
    const last = p[p.length - 1]
    props.onChange({ code: last.code, name: p.map((r) => r.name).join(' '), path: p })
    setOpen(false)
  }

  const openPicker = () => {
    setOpen(true)
    setPath([])
    load()
  }

  const pick = async (r: Region) => {
    const next = [...path, r]
    if (next.length >= props.maxDepth) {
      finish(next)
      return
    }
    setPath(next)
    const children = await load(r.code)
    // A region without children (e.g. a county-level city's missing towns) ends the walk.
    if (children.length === 0 && next.length >= minDepth) finish(next)
  }

  const backTo = (depth: number) => {
    const p = path.slice(0, depth)
    setPath(p)
    load(p.length ? p[p.length - 1].code : undefined)
  }

  return (
    <View>
      <View className={`input picker-box ${props.value ? '' : 'placeholder'}`} data-testid={props.testid} onClick={openPicker}>
        {props.value ? props.value.name : props.placeholder || '点这里选择'}
      </View>
      <Sheet visible={open} title={props.title} onClose={() => setOpen(false)} tall>
        <View className='crumbs'>
          <Text className='crumb' onClick={() => backTo(0)}>
            全部
          </Text>
          {path.map((r, i) => (
            <Text key={r.code} className='crumb' onClick={() => backTo(i + 1)}>
              {' › '}
              {r.name}
            </Text>
          ))}
        </View>
        <View className='muted'>请选择{DEPTH_WORDS[path.length + 1] || ''}</View>
        {path.length >= minDepth ? (
          <BigButton tone='plain' size='small' onClick={() => finish(path)} testid='region-pick-here'>
            就选“{path[path.length - 1].name}”
          </BigButton>
        ) : null}
        {error ? <View className='field-error'>{error}</View> : null}
        <ScrollView scrollY className='region-list'>
          {loading ? <View className='muted center'>正在读取…</View> : null}
          {!loading &&
            items.map((r) => (
              <View key={r.code} className='region-row' data-testid={`region-${r.code}`} onClick={() => pick(r)}>
                {r.name}
              </View>
            ))}
        </ScrollView>
      </Sheet>
    </View>
  )
}
