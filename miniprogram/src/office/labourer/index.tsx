import Taro, { useLoad, useRouter } from '@tarojs/taro'
import { View } from '@tarojs/components'
import { useState } from 'react'
import type { LabourerDetail, StatusCard } from '../../types/api'
import { approveLabourer, getLabourer, getLabourerStatus } from '../../services/labourers'
import { errorMessage } from '../../services/request'
import { getMe } from '../../services/session'
import { canApprove, recordStatusLabel } from '../../utils/labels'
import { showDate } from '../../utils/date'
import BigButton from '../../components/BigButton'
import ErrorBanner from '../../components/ErrorBanner'
import HistoryList from '../../components/HistoryList'
import PageHeader from '../../components/PageHeader'
import StatusCardView from '../../components/StatusCardView'

const GENDERS: Record<string, string> = { M: '男', F: '女', male: '男', female: '女' }

// Basic-information rows shown when the server sends them: [field, label, format].
const DETAIL_ROWS: Array<[string, string, ((v: unknown) => string)?]> = [
  ['gender_label', '性别'],
  ['gender', '性别', (v) => GENDERS[String(v)] || String(v)],
  ['birth_date', '出生日期', (v) => showDate(String(v))],
  ['ethnicity_label', '民族'],
  ['ethnicity', '民族'],
  ['education_label', '文化程度'],
  ['labour_capacity_label', '劳动能力'],
  ['skill_level_label', '技能等级'],
  ['category_label', '人员类别'],
  ['population_category_label', '人员类别'],
  ['state_label', '人员状态'],
  ['region_path', '户籍地'],
  ['address', '住址']
]

/** One labourer: basic information, the status card, and 确认入库 for pending records. */
export default function LabourerPage() {
  const router = useRouter()
  const id = String(router.params.id || '')
  const me = getMe()
  const [detail, setDetail] = useState<LabourerDetail | null>(null)
  const [card, setCard] = useState<StatusCard | null>(null)
  const [error, setError] = useState('')
  const [approving, setApproving] = useState(false)

  const load = async () => {
    setError('')
    try {
      const [d, c] = await Promise.all([getLabourer(id), getLabourerStatus(id)])
      setDetail(d)
      setCard(c)
    } catch (e) {
      setError(errorMessage(e))
    }
  }

  useLoad(() => {
    load()
  })

  const approve = async () => {
    setApproving(true)
    try {
      setDetail(await approveLabourer(id))
      Taro.showToast({ title: '已确认入库', icon: 'success' })
      getLabourerStatus(id).then(setCard).catch(() => undefined)
    } catch (e) {
      setError(errorMessage(e))
    } finally {
      setApproving(false)
    }
  }

  const shown = new Set<string>()
  return (
    <View className='page'>
      <PageHeader title='劳动力详情' back />
      <ErrorBanner message={error} />
      {detail ? (
        <View className='card'>
          <View className='big-name'>{detail.name}</View>
          <View className='kv'>
            <View className='k'>入库状态</View>
            <View className='v' data-testid='record-status'>
              {recordStatusLabel(detail.record_status)}
            </View>
          </View>
          <View className='kv'>
            <View className='k'>身份证</View>
            <View className='v'>{detail.id_masked}</View>
          </View>
          <View className='kv'>
            <View className='k'>手机号</View>
            <View className='v'>{detail.phone_masked}</View>
          </View>
          <View className='kv'>
            <View className='k'>村</View>
            <View className='v'>{detail.village_name}</View>
          </View>
          {DETAIL_ROWS.map(([key, label, format]) => {
            const v = detail[key]
            if (v === undefined || v === null || v === '' || typeof v === 'object' || shown.has(label)) return null
            shown.add(label)
            return (
              <View className='kv' key={key}>
                <View className='k'>{label}</View>
                <View className='v'>{format ? format(v) : String(v)}</View>
              </View>
            )
          })}
        </View>
      ) : null}
      {detail && detail.record_status === 'pending' && me && canApprove(me.role) ? (
        <BigButton tone='green' loading={approving} onClick={approve} testid='approve'>
          确认入库
        </BigButton>
      ) : null}
      <StatusCardView card={card} loading={!card && !error} />
      <View className='section-title'>记录</View>
      <HistoryList items={card ? card.history : []} />
    </View>
  )
}
