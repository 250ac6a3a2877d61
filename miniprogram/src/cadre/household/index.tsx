import Taro, { useDidShow, useRouter } from '@tarojs/taro'
import { Text, View } from '@tarojs/components'
import { useState } from 'react'
import type { Household } from '../../types/verify'
import { getHousehold } from '../../services/verify'
import { getLabourer } from '../../services/labourers'
import { errorMessage } from '../../services/request'
import { getDraft } from '../lib/drafts'
import ErrorBanner from '../../components/ErrorBanner'
import PageHeader from '../../components/PageHeader'
import SyncBadge from '../components/SyncBadge'

/** 户: every labourer of one household, so a cadre verifies the whole family in one visit. */
export default function HouseholdPage() {
  const router = useRouter()
  const labourerId = String(router.params.labourer_id || '')
  const householdId = String(router.params.id || '')
  const [h, setH] = useState<Household | null>(null)
  const [error, setError] = useState('')

  useDidShow(() => {
    const find = householdId ? Promise.resolve(householdId) : getLabourer(labourerId).then((d) => String(d.household_id || ''))
    find
      .then((id) => getHousehold(id))
      .then(setH)
      .catch((e) => setError(errorMessage(e)))
  })

  return (
    <View className='page' data-testid='household'>
      <PageHeader title='一户人家' back />
      <ErrorBanner message={error} />
      {h ? (
        <View className='card'>
          <View className='big-name'>户主：{h.head_name}</View>
          <View className='muted'>
            {h.region_path} {h.address}
          </View>
        </View>
      ) : null}
      {h
        ? h.members.map((m) => {
            const d = getDraft(m.id)
            return (
              <View
                key={m.id}
                className='row-card'
                data-testid={`member-${m.id}`}
                onClick={() => Taro.navigateTo({ url: `/cadre/form/index?labourer_id=${encodeURIComponent(m.id)}` })}
              >
                <View className='row-head'>
                  <Text className='row-name'>{m.name}</Text>
                  {m.id === labourerId ? <Text className='tag'>本人</Text> : null}
                  {d ? <SyncBadge state={d.sync} /> : null}
                </View>
                <View className='row-status'>{m.status_label}</View>
                <View className='muted'>{m.id_masked}</View>
              </View>
            )
          })
        : null}
    </View>
  )
}
