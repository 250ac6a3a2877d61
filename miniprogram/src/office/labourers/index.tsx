import Taro, { useLoad } from '@tarojs/taro'
import { Input, Text, View } from '@tarojs/components'
import { useState } from 'react'
import type { LabourerListItem } from '../../types/api'
import { listLabourers } from '../../services/labourers'
import { errorMessage } from '../../services/request'
import { recordStatusLabel } from '../../utils/labels'
import BigButton from '../../components/BigButton'
import ErrorBanner from '../../components/ErrorBanner'
import PageHeader from '../../components/PageHeader'

const PAGE_SIZE = 20

/** 劳动力台账: the labourers in the account's regions, masked. */
export default function LabourersPage() {
  const [q, setQ] = useState('')
  const [items, setItems] = useState<LabourerListItem[]>([])
  const [total, setTotal] = useState(0)
  const [page, setPage] = useState(1)
  const [loading, setLoading] = useState(false)
  const [error, setError] = useState('')

  const load = async (p: number, keyword: string) => {
    setLoading(true)
    setError('')
    try {
      const res = await listLabourers({ page: p, page_size: PAGE_SIZE, q: keyword.trim() })
      setItems((prev) => (p === 1 ? res.items || [] : [...prev, ...(res.items || [])]))
      setTotal(res.total || 0)
      setPage(p)
    } catch (e) {
      setError(errorMessage(e))
    } finally {
      setLoading(false)
    }
  }

  useLoad(() => {
    load(1, '')
  })

  return (
    <View className='page'>
      <PageHeader title='劳动力台账' back />
      <View className='search-row'>
        <Input
          className='input search-input'
          value={q}
          placeholder='姓名、身份证或手机号'
          confirmType='search'
          onInput={(e) => setQ(e.detail.value)}
          onConfirm={() => load(1, q)}
          data-testid='ledger-search'
        />
        <View className='search-btn' onClick={() => load(1, q)}>
          搜索
        </View>
      </View>
      <ErrorBanner message={error} />
      <View className='muted'>共 {total} 人</View>
      {items.map((l) => (
        <View
          key={l.id}
          className='row-card'
          data-testid={`labourer-${l.id}`}
          onClick={() => Taro.navigateTo({ url: `/office/labourer/index?id=${encodeURIComponent(l.id)}` })}
        >
          <View className='row-head'>
            <Text className='row-name'>{l.name}</Text>
            {l.record_status === 'pending' ? <Text className='tag tag-warn'>{recordStatusLabel(l.record_status)}</Text> : null}
          </View>
          <View className='row-status'>{l.status_label}</View>
          <View className='muted'>
            {l.village_name}
            {l.category_label ? ` · ${l.category_label}` : ''}
          </View>
          <View className='muted'>
            {l.id_masked}　{l.phone_masked}
          </View>
        </View>
      ))}
      {!loading && items.length === 0 && !error ? <View className='muted center'>没有找到</View> : null}
      {items.length < total ? (
        <BigButton tone='plain' loading={loading} onClick={() => load(page + 1, q)}>
          再看 {PAGE_SIZE} 个
        </BigButton>
      ) : null}
    </View>
  )
}
