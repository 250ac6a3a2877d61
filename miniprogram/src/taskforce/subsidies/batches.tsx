import Taro, { useDidShow } from '@tarojs/taro'
import { Input, Text, View } from '@tarojs/components'
import { useState } from 'react'
import type { Batch } from '../../types/subsidies'
import { createBatch, listBatches } from '../../services/payments'
import { errorMessage } from '../../services/request'
import { showDate } from '../../utils/date'
import { money } from '../../utils/subsidies'
import PageHeader from '../../components/PageHeader'
import '../../components/subsidy/subsidy.css'
import { defaultCounty } from './county'

/** 发放批次 (PC): create a batch from the claims that passed the notice; the list of batches. */
export default function BatchesPage() {
  const [county, setCounty] = useState(defaultCounty())
  const [title, setTitle] = useState('')
  const [list, setList] = useState<Batch[] | null>(null)
  const [error, setError] = useState('')
  const [ok, setOk] = useState('')
  const [busy, setBusy] = useState(false)

  const load = async () => {
    try {
      setList((await listBatches()).items)
    } catch (e) {
      setError(errorMessage(e))
    }
  }

  useDidShow(() => {
    load()
  })

  const create = async () => {
    setError('')
    setOk('')
    if (!/^\d{6}$/.test(county.trim())) {
      setError('请填写县（区）编码，6位数字')
      return
    }
    setBusy(true)
    try {
      const b = await createBatch(county.trim(), title.trim())
      const missing = b.missing_account_claim_ids.length
      setOk(
        `已生成批次：${b.lines}笔，合计${money(b.total_fen)}` +
          (missing ? `；另有${missing}人没有登记收款账户，未列入（登记后可进下一批）` : '')
      )
      await load()
      Taro.navigateTo({ url: `/taskforce/subsidies/batch?id=${b.id}` })
    } catch (e) {
      setError(errorMessage(e))
    } finally {
      setBusy(false)
    }
  }

  return (
    <View className='page' data-testid='batches-page'>
      <PageHeader title='发放批次' back />
      <View className='card'>
        <View className='section-title'>新建批次（本县公示期满无异议、定额预付待预付，以及上次发放失败的申请）</View>
        <View className='pc-actions'>
          <Input className='input' style={{ width: '200px' }} value={county} placeholder='县（区）编码' onInput={(ev) => setCounty(ev.detail.value)} data-testid='batch-county' />
          <Input className='input' style={{ flex: 1, minWidth: '240px' }} value={title} placeholder='标题（可不填）' onInput={(ev) => setTitle(ev.detail.value)} />
          <Text className={`pc-btn ${busy ? 'pc-btn-disabled' : ''}`} data-testid='batch-create' onClick={busy ? undefined : create}>
            {busy ? '正在生成…' : '生成批次'}
          </Text>
        </View>
        <View className='muted'>流程：制单（提交复核）→ 另一位同事复核 → 导出银行文件 → 逐笔登记发放结果 → 对账。</View>
      </View>
      {error ? <View className='refusal' data-testid='batches-error'>{error}</View> : null}
      {ok ? <View className='okbox' data-testid='batches-ok'>{ok}</View> : null}

      <View className='section-title'>批次列表</View>
      {list === null ? <View className='muted center'>正在读取…</View> : null}
      {list && list.length === 0 ? <View className='muted center'>还没有批次</View> : null}
      <View className='pc-table'>
        {list && list.length > 0 ? (
          <View className='pc-row pc-row-head'>
            <Text className='pc-cell pc-cell-wide'>批次</Text>
            <Text className='pc-cell'>笔数</Text>
            <Text className='pc-cell'>金额</Text>
            <Text className='pc-cell'>已发放</Text>
            <Text className='pc-cell'>失败</Text>
            <Text className='pc-cell'>状态</Text>
          </View>
        ) : null}
        {(list || []).map((b) => (
          <View
            key={b.id}
            className='pc-row'
            data-testid={`batch-${b.id}`}
            onClick={() => Taro.navigateTo({ url: `/taskforce/subsidies/batch?id=${b.id}` })}
          >
            <Text className='pc-cell pc-cell-wide link'>
              {b.county_name} {b.title}（{showDate(b.created_at)}）
            </Text>
            <Text className='pc-cell'>{b.lines}</Text>
            <Text className='pc-cell'>{money(b.total_fen)}</Text>
            <Text className='pc-cell'>{b.paid_lines}笔 {money(b.paid_fen)}</Text>
            <Text className='pc-cell'>{b.failed_lines}笔 {money(b.failed_fen)}</Text>
            <Text className='pc-cell'>{b.state_label}</Text>
          </View>
        ))}
      </View>
    </View>
  )
}
