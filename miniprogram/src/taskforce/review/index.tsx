import Taro, { useDidShow } from '@tarojs/taro'
import { Text, Textarea, View } from '@tarojs/components'
import { useEffect, useState } from 'react'
import type { FormView, ReviewItem } from '../../types/verify'
import { decide, getForm, getReviewQueue } from '../../services/verify'
import { FIELDS, showValue } from '../../cadre/lib/conflict'
import { fromServer } from '../../services/verify'
import { getPath } from '../../cadre/lib/rules'
import { errorMessage } from '../../services/request'
import { showDate } from '../../utils/date'
import BigButton from '../../components/BigButton'
import Chips from '../../components/Chips'
import ErrorBanner from '../../components/ErrorBanner'
import PageHeader from '../../components/PageHeader'
import Sheet from '../../components/Sheet'

const KINDS = [
  { code: '', label: '全部' },
  { code: 'form', label: '采集表' },
  { code: 'self_report', label: '本人自报' }
]

/** FormDetail: the whole submitted form, answered fields only, loaded when opened. */
function FormDetail({ id }: { id: string }) {
  const [f, setF] = useState<FormView | null>(null)
  const [error, setError] = useState('')
  useEffect(() => {
    getForm(id)
      .then(setF)
      .catch((e) => setError(errorMessage(e)))
  }, [id])
  if (error) return <View className='field-error'>{error}</View>
  if (!f) return <View className='muted'>正在读取…</View>
  const values = fromServer(f.form)
  return (
    <View className='form-detail' data-testid={`form-detail-${id}`}>
      <View className='muted'>
        {f.verification_label} · 核实于 {showDate(f.visited_at)} {f.visited_at.slice(11, 16)}
        {f.location ? ` · 📍${f.location.lat.toFixed(4)},${f.location.lng.toFixed(4)}` : ' · 未定位'}
        {f.confirm_method === 'signature' ? ' · 本人已签名' : f.confirm_method === 'worker_account' ? ' · 待本人微信确认' : ''}
      </View>
      {FIELDS.map((x) => {
        const v = getPath(values, x.path)
        if (v === '' || v === null || v === undefined || (Array.isArray(v) && v.length === 0) || x.path.startsWith('services.items')) return null
        const shown = x.path.endsWith('place_name') || x.path.endsWith('dest_name') ? null : showValue(x.path, v)
        return shown ? (
          <View key={x.path} className='change-line'>
            {x.label}：<Text className='change-new'>{shown}</Text>
          </View>
        ) : null
      })}
      {f.attempts && f.attempts.length ? <View className='muted'>联系不上，已尝试 {f.attempts.length} 次</View> : null}
    </View>
  )
}

/**
 * 审核队列 (县专班): submitted forms and workers' self-reports, 待核实. Confirm or reject (with
 * a reason that goes back to the cadre) one by one or ticked in batches. Laid out for a PC
 * browser as much as a phone.
 */
export default function ReviewPage() {
  const [kind, setKind] = useState('')
  const [items, setItems] = useState<ReviewItem[]>([])
  const [total, setTotal] = useState(0)
  const [picked, setPicked] = useState<Set<string>>(new Set())
  const [error, setError] = useState('')
  const [notice, setNotice] = useState('')
  const [busy, setBusy] = useState(false)
  const [loading, setLoading] = useState(false)
  const [rejecting, setRejecting] = useState<ReviewItem[] | null>(null)
  const [reason, setReason] = useState('')
  const [reasonError, setReasonError] = useState('')
  const [open, setOpen] = useState<Record<string, boolean>>({})

  const load = async (k = kind) => {
    setLoading(true)
    setError('')
    try {
      const res = await getReviewQueue(1, 100)
      const all = res.items || []
      setItems(k ? all.filter((i) => i.kind === k) : all)
      setTotal(res.total || all.length)
      setPicked(new Set())
    } catch (e) {
      setError(errorMessage(e))
    } finally {
      setLoading(false)
    }
  }

  useDidShow(() => {
    load()
  })

  const keyOf = (i: ReviewItem) => `${i.kind}:${i.id}`
  const toggle = (i: ReviewItem) => {
    const next = new Set(picked)
    if (next.has(keyOf(i))) next.delete(keyOf(i))
    else next.add(keyOf(i))
    setPicked(next)
  }
  const allOn = items.length > 0 && items.every((i) => picked.has(keyOf(i)))
  const chosen = items.filter((i) => picked.has(keyOf(i)))
  const refs = (list: ReviewItem[]) => list.map((i) => ({ id: i.id, kind: i.kind }))

  const confirm = async (list: ReviewItem[]) => {
    if (!list.length) return
    setBusy(true)
    setError('')
    try {
      const r = await decide(refs(list), 'confirm')
      const bad = (r.results || []).filter((x) => !x.ok)
      setNotice(`已确认 ${r.done} 份，已写入台账${r.failed ? `；${r.failed} 份没有成功：${bad.map((x) => (x.error ? x.error.message : '')).join('；')}` : ''}`)
      Taro.showToast({ title: `已确认 ${r.done} 份`, icon: r.failed ? 'none' : 'success' })
      await load()
    } catch (e) {
      setError(errorMessage(e))
    } finally {
      setBusy(false)
    }
  }

  const reject = async () => {
    if (!rejecting) return
    if (!reason.trim()) {
      setReasonError('请写明退回原因，村干部会看到')
      return
    }
    setBusy(true)
    try {
      const r = await decide(refs(rejecting), 'reject', reason.trim())
      setNotice(`已退回 ${r.done} 份${r.failed ? `，${r.failed} 份没有成功` : ''}`)
      setRejecting(null)
      setReason('')
      await load()
    } catch (e) {
      setReasonError(errorMessage(e))
    } finally {
      setBusy(false)
    }
  }

  return (
    <View className='page' data-testid='review'>
      <PageHeader title='审核队列' back />
      <Chips options={KINDS} value={kind} onChange={(k) => { setKind(k); load(k) }} testidPrefix='review-kind' />
      <ErrorBanner message={error} />
      {notice ? <View className='result-card' style={{ padding: '16px' }} data-testid='review-notice'>{notice}</View> : null}
      <View className='row-head' style={{ justifyContent: 'space-between' }}>
        <View className='row-head' onClick={() => setPicked(allOn ? new Set() : new Set(items.map(keyOf)))} data-testid='review-all'>
          <View className={`check ${allOn ? 'check-on' : ''}`}>{allOn ? '✓' : ''}</View>
          <Text style={{ marginLeft: '16px' }}>全选（待核实 {total} 份）</Text>
        </View>
      </View>
      <View className='bar-row'>
        <BigButton tone='green' size='small' disabled={!chosen.length} loading={busy} onClick={() => confirm(chosen)} testid='review-confirm-selected'>
          确认选中的 {chosen.length} 份
        </BigButton>
        <BigButton tone='danger' size='small' disabled={!chosen.length || busy} onClick={() => { setReasonError(''); setRejecting(chosen) }} testid='review-reject-selected'>
          退回选中的
        </BigButton>
      </View>
      {loading ? <View className='muted center'>正在读取…</View> : null}
      {!loading && items.length === 0 && !error ? <View className='muted center' data-testid='review-empty'>没有待核实的表</View> : null}
      {items.map((i) => (
        <View key={keyOf(i)} className='review-card' data-testid={`review-item-${i.kind}-${i.labourer_id}`}>
          <View className={`check ${picked.has(keyOf(i)) ? 'check-on' : ''}`} onClick={() => toggle(i)} data-testid={`review-check-${i.kind}-${i.labourer_id}`}>
            {picked.has(keyOf(i)) ? '✓' : ''}
          </View>
          <View className='review-body'>
            <View className='row-head'>
              <Text className='row-name'>{i.labourer_name}</Text>
              <Text className={`tag ${i.kind === 'self_report' ? 'tag-warn' : ''}`}>{i.kind_label || (i.kind === 'self_report' ? '本人自报' : '采集表')}</Text>
            </View>
            <View className='muted'>
              {i.village_name}
              {i.at ? ` · ${showDate(i.at)} ${i.at.slice(11, 16)}` : ''}
            </View>
            <View className='row-status'>
              {i.kind === 'self_report' ? `本人报告：${i.report_kind_label || i.report_kind}` : i.verification === 'unreachable' ? '联系不上' : '已入户核实'}
              {i.awaiting_worker ? '（等本人微信确认）' : ''}
            </View>
            {i.kind === 'form' ? (
              open[i.id] ? (
                <FormDetail id={i.id} />
              ) : (
                <View className='link' onClick={() => setOpen({ ...open, [i.id]: true })} data-testid={`review-open-${i.kind}-${i.labourer_id}`}>
                  看表的内容
                </View>
              )
            ) : null}
            <View className='row-actions'>
              <View className='chip chip-small chip-on' onClick={() => confirm([i])} data-testid={`review-confirm-${i.kind}-${i.labourer_id}`}>
                确认
              </View>
              <View className='chip chip-small' onClick={() => { setReasonError(''); setRejecting([i]) }} data-testid={`review-reject-${i.kind}-${i.labourer_id}`}>
                退回
              </View>
            </View>
          </View>
        </View>
      ))}
      <Sheet visible={!!rejecting} title={`退回 ${rejecting ? rejecting.length : 0} 份`} onClose={() => setRejecting(null)}>
        <View className='muted'>退回原因（村干部会看到，改好后重新提交）</View>
        <Textarea className='textarea' value={reason} maxlength={200} placeholder='例如：务工地点只填到县，请补到乡镇' onInput={(e) => { setReason(e.detail.value); setReasonError('') }} data-testid='reject-reason' />
        {reasonError ? <View className='field-error'>{reasonError}</View> : null}
        <BigButton tone='danger' loading={busy} onClick={reject} testid='reject-send'>
          退回
        </BigButton>
      </Sheet>
    </View>
  )
}
