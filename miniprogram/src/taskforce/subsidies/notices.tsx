import { useDidShow } from '@tarojs/taro'
import { Input, Text, View } from '@tarojs/components'
import { useState } from 'react'
import type { Notice, NoticeDetail, Objection } from '../../types/subsidies'
import { closeNotice, getNotice, listNotices, listObjections, publishNotice, resolveObjection } from '../../services/payments'
import { errorMessage } from '../../services/request'
import { showDate } from '../../utils/date'
import { money } from '../../utils/subsidies'
import PageHeader from '../../components/PageHeader'
import '../../components/subsidy/subsidy.css'
import { defaultCounty } from './county'

function when(s: string): string {
  return s ? `${showDate(s)} ${s.slice(11, 16)}` : ''
}

/** 公示 (PC): publish the approved claims, watch objections, resolve them, close the notice. */
export default function NoticesPage() {
  const [county, setCounty] = useState(defaultCounty())
  const [title, setTitle] = useState('')
  const [days, setDays] = useState('5')
  const [list, setList] = useState<Notice[] | null>(null)
  const [open, setOpen] = useState<NoticeDetail | null>(null)
  const [objections, setObjections] = useState<Objection[]>([])
  const [notes, setNotes] = useState<Record<string, string>>({})
  const [error, setError] = useState('')
  const [ok, setOk] = useState('')
  const [busy, setBusy] = useState('')

  const load = async () => {
    try {
      const p = await listNotices()
      setList(p.items)
    } catch (e) {
      setError(errorMessage(e))
    }
  }

  const show = async (id: string) => {
    setError('')
    try {
      const [d, o] = await Promise.all([getNotice(id), listObjections(id)])
      setOpen(d)
      setObjections(o)
    } catch (e) {
      setError(errorMessage(e))
    }
  }

  useDidShow(() => {
    load()
  })

  const publish = async () => {
    setError('')
    setOk('')
    const n = Number(days)
    if (!/^\d{6}$/.test(county.trim())) {
      setError('请填写县（区）编码，6位数字')
      return
    }
    if (!Number.isInteger(n) || n < 1 || n > 30) {
      setError('公示天数应为1到30个工作日')
      return
    }
    setBusy('publish')
    try {
      const out = await publishNotice({ county_code: county.trim(), title: title.trim(), days: n })
      setOk(`已发布公示：${out.items}人，合计${money(out.total_fen)}，公示到 ${when(out.ends_at)}`)
      await load()
      await show(out.id)
    } catch (e) {
      setError(errorMessage(e))
    } finally {
      setBusy('')
    }
  }

  const close = async (id: string) => {
    setError('')
    setOk('')
    setBusy('close')
    try {
      const n = await closeNotice(id)
      setOk(`公示已办结：${n.state_label}`)
      await load()
      await show(id)
    } catch (e) {
      setError(errorMessage(e))
    } finally {
      setBusy('')
    }
  }

  const resolve = async (o: Objection, resolution: 'upheld' | 'dismissed') => {
    const note = (notes[o.id] || '').trim()
    if (note.length < 2) {
      setError('处理异议要写明核实情况')
      return
    }
    setError('')
    setBusy(o.id)
    try {
      await resolveObjection(o.id, resolution, note, o.version)
      setOk(resolution === 'upheld' ? '已认定异议成立，该申请退回' : '已认定异议不成立')
      if (open) await show(open.id)
      await load()
    } catch (e) {
      setError(errorMessage(e))
    } finally {
      setBusy('')
    }
  }

  return (
    <View className='page' data-testid='notices-page'>
      <PageHeader title='补贴公示' back />
      <View className='card'>
        <View className='section-title'>发布公示（本县全部“已通过”的申请）</View>
        <View className='pc-actions'>
          <Input className='input' style={{ width: '200px' }} value={county} placeholder='县（区）编码' onInput={(ev) => setCounty(ev.detail.value)} data-testid='notice-county' />
          <Input className='input' style={{ flex: 1, minWidth: '240px' }} value={title} placeholder='标题（可不填：补贴发放名单公示）' onInput={(ev) => setTitle(ev.detail.value)} />
          <Input className='input' style={{ width: '120px' }} type='number' value={days} onInput={(ev) => setDays(ev.detail.value)} data-testid='notice-days' />
          <Text className='muted'>个工作日</Text>
          <Text className={`pc-btn ${busy === 'publish' ? 'pc-btn-disabled' : ''}`} data-testid='notice-publish' onClick={publish}>
            {busy === 'publish' ? '正在发布…' : '发布公示'}
          </Text>
        </View>
      </View>
      {error ? <View className='refusal' data-testid='notice-error'>{error}</View> : null}
      {ok ? <View className='okbox' data-testid='notice-ok'>{ok}</View> : null}

      <View className='section-title'>公示列表</View>
      {list === null ? <View className='muted center'>正在读取…</View> : null}
      {list && list.length === 0 ? <View className='muted center'>还没有公示</View> : null}
      <View className='pc-table'>
        {list && list.length > 0 ? (
          <View className='pc-row pc-row-head'>
            <Text className='pc-cell pc-cell-wide'>标题</Text>
            <Text className='pc-cell'>人数</Text>
            <Text className='pc-cell'>金额</Text>
            <Text className='pc-cell'>公示期</Text>
            <Text className='pc-cell'>异议</Text>
            <Text className='pc-cell'>状态</Text>
          </View>
        ) : null}
        {(list || []).map((n) => (
          <View key={n.id} className='pc-row' data-testid={`notice-${n.id}`} onClick={() => show(n.id)}>
            <Text className='pc-cell pc-cell-wide link'>{n.county_name} {n.title}</Text>
            <Text className='pc-cell'>{n.items}</Text>
            <Text className='pc-cell'>{money(n.total_fen)}</Text>
            <Text className='pc-cell'>{when(n.published_at)} 至 {when(n.ends_at)}（{n.days}个工作日）</Text>
            <Text className='pc-cell'>{n.open_objections > 0 ? `${n.open_objections}条待处理` : '无'}</Text>
            <Text className='pc-cell' data-testid='notice-state'>{n.state_label}</Text>
          </View>
        ))}
      </View>

      {open ? (
        <View className='card' data-testid='notice-detail'>
          <View className='section-title'>
            {open.title}（{open.state_label}）
          </View>
          <View className='muted'>
            公示期：{when(open.published_at)} 至 {when(open.ends_at)}。公示期满且异议都已处理后，申请才能进入发放批次。
          </View>
          {open.state === 'open' ? (
            <View className='pc-actions'>
              <Text className={`pc-btn ${busy === 'close' ? 'pc-btn-disabled' : ''}`} data-testid='notice-close' onClick={() => close(open.id)}>
                公示期满，办结
              </Text>
            </View>
          ) : null}
          <View className='pc-table'>
            <View className='pc-row pc-row-head'>
              <Text className='pc-cell'>姓名</Text>
              <Text className='pc-cell pc-cell-wide'>村</Text>
              <Text className='pc-cell'>补贴</Text>
              <Text className='pc-cell'>金额</Text>
              <Text className='pc-cell'>结果</Text>
            </View>
            {open.list.map((it) => (
              <View key={it.id} className='pc-row' data-testid={`notice-item-${it.claim_id}`}>
                <Text className='pc-cell'>{it.name}</Text>
                <Text className='pc-cell pc-cell-wide'>{it.village_name}</Text>
                <Text className='pc-cell'>{it.kind_label}</Text>
                <Text className='pc-cell'>{money(it.amount_fen)}</Text>
                <Text className='pc-cell'>{it.state_label}</Text>
              </View>
            ))}
          </View>
          <View className='section-title'>异议（{objections.length}）</View>
          {objections.length === 0 ? <View className='muted'>没有异议</View> : null}
          {objections.map((o) => (
            <View key={o.id} className='row-card' data-testid={`objection-${o.id}`}>
              <View className='claim-line'>
                {o.text}
                {o.on_behalf_of ? `（代${o.on_behalf_of}提出）` : ''}
              </View>
              <View className='muted'>
                {when(o.created_at)} · {o.state_label}
                {o.resolution_label ? ` · ${o.resolution_label}：${o.note}` : ''}
              </View>
              {o.state === 'open' ? (
                <View className='pc-actions'>
                  <Input
                    className='input'
                    style={{ flex: 1, minWidth: '240px' }}
                    placeholder='核实情况（必填）'
                    value={notes[o.id] || ''}
                    onInput={(ev) => setNotes((m) => ({ ...m, [o.id]: ev.detail.value }))}
                  />
                  <Text className='pc-btn pc-btn-red' onClick={() => resolve(o, 'upheld')}>
                    异议成立
                  </Text>
                  <Text className='pc-btn pc-btn-green' onClick={() => resolve(o, 'dismissed')}>
                    异议不成立
                  </Text>
                </View>
              ) : null}
            </View>
          ))}
        </View>
      ) : null}
    </View>
  )
}
