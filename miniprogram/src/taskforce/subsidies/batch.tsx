import { useLoad } from '@tarojs/taro'
import Taro from '@tarojs/taro'
import { Input, Text, View } from '@tarojs/components'
import { useState } from 'react'
import type { BatchDetail, BatchLine } from '../../types/subsidies'
import {
  approveBatch,
  batchLines,
  cancelBatch,
  downloadBankFile,
  exportBatch,
  getBatch,
  markLine,
  prepareBatch,
  reconcileBatch
} from '../../services/payments'
import { ApiError, errorMessage } from '../../services/request'
import { getMe } from '../../services/session'
import { showDate } from '../../utils/date'
import { money } from '../../utils/subsidies'
import PageHeader from '../../components/PageHeader'
import '../../components/subsidy/subsidy.css'

function when(s: string | null): string {
  return s ? `${showDate(s)} ${s.slice(11, 16)}` : ''
}

/** refusalText explains the server's refusals in plain words (maker–checker first). */
function refusalText(e: unknown): string {
  if (e instanceof ApiError && e.code === 'same_account') {
    return `复核被拒绝：${e.message}。制单人不能复核自己的批次，请由另一位县专班同事或系统管理员登录后复核。`
  }
  return errorMessage(e)
}

/** 发放批次详情 (PC): maker–checker, bank file, per-line results, reconciliation. */
export default function BatchPage() {
  const [id, setId] = useState('')
  const [b, setB] = useState<BatchDetail | null>(null)
  const [lines, setLines] = useState<BatchLine[]>([])
  const [error, setError] = useState('')
  const [ok, setOk] = useState('')
  const [busy, setBusy] = useState('')
  const [totp, setTotp] = useState('')
  const [purpose, setPurpose] = useState('报送银行代发补贴')
  const [format, setFormat] = useState<'xlsx' | 'csv'>('xlsx')
  const [reasons, setReasons] = useState<Record<string, string>>({})
  const [cancelReason, setCancelReason] = useState('')
  const me = getMe()

  const load = async (bid = id) => {
    if (!bid) return
    try {
      const [d, l] = await Promise.all([getBatch(bid), batchLines(bid)])
      setB(d)
      setLines(l.items)
    } catch (e) {
      setError(errorMessage(e))
    }
  }

  useLoad((params) => {
    const bid = (params && params.id) || ''
    setId(bid)
    load(bid)
  })

  const run = async (key: string, fn: () => Promise<string>) => {
    setBusy(key)
    setError('')
    setOk('')
    try {
      setOk(await fn())
    } catch (e) {
      setError(refusalText(e))
    } finally {
      setBusy('')
      await load()
    }
  }

  if (!b) {
    return (
      <View className='page'>
        <PageHeader title='发放批次详情' back />
        {error ? <View className='refusal'>{error}</View> : <View className='muted center'>正在读取…</View>}
      </View>
    )
  }
  const r = b.reconciliation
  const mine = me && (b.prepared_by === me.id || b.created_by === me.id)
  const cancellable = b.state === 'draft' || b.state === 'prepared'

  // askCancel confirms, then withdraws the batch: its claims go back to wait for another batch.
  const askCancel = async () => {
    const why = cancelReason.trim()
    if (why.length < 2) {
      setOk('')
      setError('请先填写撤销原因（如：收款账户待核实、名单选错）')
      return
    }
    const m = await Taro.showModal({
      title: '撤销发放批次',
      content: `撤销后，本批次的${b.lines}笔申请退回“待发放”（定额预付退回“待预付”），可以重新生成批次。撤销会记录原因和操作人，确定撤销吗？`,
      confirmText: '确定撤销',
      cancelText: '不撤销'
    })
    if (!m.confirm) return
    run('cancel', async () => (await cancelBatch(b.id, b.version, why), '批次已撤销，申请已退回，可以重新生成批次'))
  }
  return (
    <View className='page' data-testid='batch-page'>
      <PageHeader title='发放批次详情' back />
      <View className='card'>
        <View className='section-title'>
          {b.county_name} {b.title}　<Text data-testid='batch-state' data-state={b.state}>{b.state_label}</Text>
        </View>
        <View className='muted'>
          生成：{when(b.created_at)}
          {b.prepared_at ? ` · 制单提交：${when(b.prepared_at)}` : ''}
          {b.approved_at ? ` · 复核：${when(b.approved_at)}` : ''}
          {b.exported_at ? ` · 导出：${when(b.exported_at)}` : ''}
          {b.reconciled_at ? ` · 对账：${when(b.reconciled_at)}` : ''}
          {b.cancelled_at ? ` · 撤销：${when(b.cancelled_at)}` : ''}
        </View>
        {b.state === 'cancelled' ? (
          <View className='refusal' data-testid='batch-cancelled'>
            本批次已撤销，原因：{b.cancel_reason}。其中的申请已退回待发放，可在批次列表重新生成批次。
          </View>
        ) : null}
        <View className='pc-totals' data-testid='batch-totals'>
          <View className='pc-total'>
            合计<View className='pc-total-num'>{r.lines}笔 {money(r.total_fen)}</View>
          </View>
          <View className='pc-total'>
            已发放<View className='pc-total-num' data-testid='total-paid'>{r.paid_lines}笔 {money(r.paid_fen)}</View>
          </View>
          <View className='pc-total'>
            发放失败<View className='pc-total-num'>{r.failed_lines}笔 {money(r.failed_fen)}</View>
          </View>
          <View className='pc-total'>
            待登记<View className='pc-total-num'>{r.pending_lines}笔</View>
          </View>
          <View className='pc-total' data-testid='balanced'>
            对账
            <View className='pc-total-num'>
              {b.state === 'cancelled' ? '—' : r.balanced ? '平' : r.pending_lines > 0 ? '未完成' : '不平'}
            </View>
          </View>
        </View>

        {b.state === 'draft' ? (
          <View className='pc-actions'>
            <Text
              className='pc-btn'
              data-testid='batch-prepare'
              onClick={() => run('prepare', async () => (await prepareBatch(b.id, b.version), '已提交复核，请另一位同事复核'))}
            >
              {busy === 'prepare' ? '请稍候…' : '制单完成，提交复核'}
            </Text>
          </View>
        ) : null}
        {b.state === 'prepared' ? (
          <View>
            {mine ? <View className='muted'>这一批是您制单的，按规定须由另一个账号复核。</View> : null}
            <View className='pc-actions'>
              <Input className='input' style={{ width: '240px' }} placeholder='动态验证码（已开通的账号必填）' value={totp} onInput={(ev) => setTotp(ev.detail.value)} />
              <Text
                className='pc-btn pc-btn-green'
                data-testid='batch-approve'
                onClick={() => run('approve', async () => (await approveBatch(b.id, b.version, totp.trim()), '复核通过，可以导出银行文件'))}
              >
                {busy === 'approve' ? '请稍候…' : '复核通过'}
              </Text>
            </View>
          </View>
        ) : null}
        {cancellable ? (
          <View className='pc-actions'>
            <Input
              className='input'
              style={{ flex: 1, minWidth: '240px' }}
              placeholder='撤销原因（必填，如：收款账户待核实）'
              value={cancelReason}
              onInput={(ev) => setCancelReason(ev.detail.value)}
              data-testid='cancel-reason'
            />
            <Text className='pc-btn pc-btn-red' data-testid='batch-cancel' onClick={askCancel}>
              {busy === 'cancel' ? '请稍候…' : '撤销批次'}
            </Text>
          </View>
        ) : null}
        {b.state === 'approved' || b.state === 'exported' || b.state === 'reconciled' ? (
          <View className='pc-actions'>
            <Input className='input' style={{ flex: 1, minWidth: '240px' }} placeholder='导出用途（必填，会记录）' value={purpose} onInput={(ev) => setPurpose(ev.detail.value)} data-testid='export-purpose' />
            <Text className={`pc-btn ${format === 'xlsx' ? '' : 'pc-btn-grey'}`} onClick={() => setFormat('xlsx')}>
              Excel
            </Text>
            <Text className={`pc-btn ${format === 'csv' ? '' : 'pc-btn-grey'}`} onClick={() => setFormat('csv')}>
              CSV
            </Text>
            {b.state === 'approved' ? (
              <Text
                className='pc-btn pc-btn-green'
                data-testid='batch-export'
                onClick={() => run('export', async () => `已导出银行文件：${await exportBatch(b.id, b.version, purpose.trim(), format)}`)}
              >
                {busy === 'export' ? '正在导出…' : '导出银行文件'}
              </Text>
            ) : (
              <Text
                className='pc-btn'
                data-testid='batch-download'
                onClick={() => run('download', async () => `已下载：${await downloadBankFile(b.id, purpose.trim(), format)}`)}
              >
                再次下载银行文件
              </Text>
            )}
          </View>
        ) : null}
        {b.state === 'exported' ? (
          <View className='pc-actions'>
            <Text
              className='pc-btn'
              data-testid='batch-reconcile'
              onClick={() => run('reconcile', async () => {
                const d = await reconcileBatch(b.id)
                return `对账完成：${d.reconciliation.paid_lines}笔已发放 ${money(d.reconciliation.paid_fen)}，${d.reconciliation.failed_lines}笔失败`
              })}
            >
              全部登记后，对账
            </Text>
          </View>
        ) : null}
      </View>
      {error ? <View className='refusal' data-testid='batch-error'>{error}</View> : null}
      {ok ? <View className='okbox' data-testid='batch-ok'>{ok}</View> : null}

      <View className='section-title'>发放明细（账号只显示部分，完整账号只在银行文件里）</View>
      <View className='pc-table'>
        <View className='pc-row pc-row-head'>
          <Text className='pc-cell'>序号</Text>
          <Text className='pc-cell'>姓名</Text>
          <Text className='pc-cell pc-cell-wide'>账号 / 开户行</Text>
          <Text className='pc-cell'>金额</Text>
          <Text className='pc-cell'>用途</Text>
          <Text className='pc-cell'>结果</Text>
          <Text className='pc-cell pc-cell-wide'>登记</Text>
        </View>
        {lines.map((l) => (
          <View key={l.id} className='pc-row' data-testid={`line-${l.claim_id}`}>
            <Text className='pc-cell'>{l.seq}</Text>
            <Text className='pc-cell'>{l.payee_name}</Text>
            <Text className='pc-cell pc-cell-wide'>
              {l.account_masked} {l.bank_name}
            </Text>
            <Text className='pc-cell'>{money(l.amount_fen)}</Text>
            <Text className='pc-cell'>{l.purpose}</Text>
            <Text className='pc-cell' data-testid='line-state'>
              {l.state_label}
              {l.failure_reason ? `（${l.failure_reason}）` : ''}
            </Text>
            <View className='pc-cell pc-cell-wide'>
              {b.state === 'exported' && l.state === 'pending' ? (
                <View className='pc-actions'>
                  <Text
                    className='pc-btn pc-btn-green'
                    data-testid='line-paid'
                    onClick={() => run('mark' + l.id, async () => (await markLine(b.id, l.id, 'paid', '', l.version), `${l.payee_name}：已发放`))}
                  >
                    已发放
                  </Text>
                  <Input
                    className='input'
                    style={{ flex: 1, minWidth: '160px' }}
                    placeholder='失败原因'
                    value={reasons[l.id] || ''}
                    onInput={(ev) => setReasons((m) => ({ ...m, [l.id]: ev.detail.value }))}
                  />
                  <Text
                    className='pc-btn pc-btn-red'
                    data-testid='line-failed'
                    onClick={() => {
                      const why = (reasons[l.id] || '').trim()
                      if (why.length < 2) {
                        setError('请填写失败原因（如户名不符、账户已销户）')
                        return
                      }
                      run('mark' + l.id, async () => (await markLine(b.id, l.id, 'failed', why, l.version), `${l.payee_name}：发放失败`))
                    }}
                  >
                    失败
                  </Text>
                </View>
              ) : null}
            </View>
          </View>
        ))}
      </View>
      <Text className='link' onClick={() => Taro.navigateBack().catch(() => undefined)}>
        返回批次列表
      </Text>
    </View>
  )
}
