import Taro, { useDidShow } from '@tarojs/taro'
import { Input, Text, View } from '@tarojs/components'
import { useState } from 'react'
import type { Claim, Generated, Policy } from '../../types/subsidies'
import { claimAction, generateClaims, listClaims, listPolicies, settlementCheck } from '../../services/subsidies'
import { errorMessage } from '../../services/request'
import { showDate } from '../../utils/date'
import { money } from '../../utils/subsidies'
import ErrorBanner from '../../components/ErrorBanner'
import PageHeader from '../../components/PageHeader'
import ClaimTag from '../../components/subsidy/ClaimTag'
import ConditionList from '../../components/subsidy/ConditionList'
import '../../components/subsidy/subsidy.css'

const TABS = [
  { code: 'submitted', label: '待审核' },
  { code: 'approved', label: '已通过（待公示）' },
  { code: 'advance_due', label: '定额预付（待发放）' },
  { code: 'recovery', label: '追回名单' },
  { code: 'lapsed', label: '已失效' },
  { code: '', label: '全部' },
  { code: 'generate', label: '生成名单' }
]

/** 补贴审核 (PC): the review queue with failed conditions, the 追回 list, and list generation. */
export default function SubsidyReviewPage() {
  const [tab, setTab] = useState('submitted')
  const [items, setItems] = useState<Claim[] | null>(null)
  const [total, setTotal] = useState(0)
  const [error, setError] = useState('')
  const [notice, setNotice] = useState('')
  const [reasons, setReasons] = useState<Record<string, string>>({})
  const [busy, setBusy] = useState('')
  const [policies, setPolicies] = useState<Policy[]>([])
  const [generated, setGenerated] = useState<Record<string, Generated>>({})

  const load = async (t = tab) => {
    setError('')
    if (t === 'generate') {
      try {
        const list = await listPolicies()
        setPolicies(list.filter((p) => p.kind !== 'transport'))
      } catch (e) {
        setError(errorMessage(e))
      }
      return
    }
    setItems(null)
    try {
      const p = await listClaims({ state: t, page_size: 100 })
      setItems(p.items)
      setTotal(p.total)
    } catch (e) {
      setError(errorMessage(e))
    }
  }

  useDidShow(() => {
    load()
  })

  const pick = (t: string) => {
    setTab(t)
    setNotice('')
    load(t)
  }

  const act = async (c: Claim, action: 'approve' | 'reject' | 'settle' | 'recovered') => {
    const reason = (reasons[c.id] || '').trim()
    if (action === 'reject' && reason.length < 2) {
      setError('驳回要写明理由（例如：台账中没有县外务工记录）')
      return
    }
    setBusy(c.id + action)
    setError('')
    setNotice('')
    try {
      const out = await claimAction(c.id, action, c.version, reason)
      setNotice(`${out.labourer_name}：${out.state_label}`)
      await load()
    } catch (e) {
      setError(errorMessage(e))
    } finally {
      setBusy('')
    }
  }

  const sweep = async () => {
    setBusy('sweep')
    setError('')
    try {
      const r = await settlementCheck()
      setNotice(
        `已检查${r.checked}条：结算${r.settled}条，转入追回${r.recovery}条；` +
          `未发放的预付转为事后补助${r.after_the_fact}条，失效${r.lapsed}条`
      )
      await load()
    } catch (e) {
      setError(errorMessage(e))
    } finally {
      setBusy('')
    }
  }

  const generate = async (p: Policy, employerId: string) => {
    setBusy('gen' + p.id)
    setError('')
    try {
      const r = await generateClaims(p.id, employerId.trim())
      setGenerated((g) => ({ ...g, [p.id]: r }))
    } catch (e) {
      setError(errorMessage(e))
    } finally {
      setBusy('')
    }
  }

  return (
    <View className='page' data-testid='subsidy-review'>
      <PageHeader title='补贴审核' back />
      <View className='pc-actions'>
        <Text className='pc-btn' data-testid='open-notices' onClick={() => Taro.navigateTo({ url: '/taskforce/subsidies/notices' })}>
          公示 →
        </Text>
        <Text className='pc-btn' data-testid='open-batches' onClick={() => Taro.navigateTo({ url: '/taskforce/subsidies/batches' })}>
          发放批次 →
        </Text>
      </View>
      <View className='tabs'>
        {TABS.map((t) => (
          <View key={t.code} className={`tab ${tab === t.code ? 'tab-on' : ''}`} data-testid={`tab-${t.code || 'all'}`} onClick={() => pick(t.code)}>
            {t.label}
          </View>
        ))}
      </View>
      <ErrorBanner message={error} />
      {notice ? <View className='okbox' data-testid='review-notice'>{notice}</View> : null}

      {tab === 'recovery' || tab === 'advance_due' || tab === 'lapsed' ? (
        <View className='pc-actions'>
          <Text className={`pc-btn ${busy === 'sweep' ? 'pc-btn-disabled' : ''}`} data-testid='run-sweep' onClick={sweep}>
            运行定额预付结算检查
          </Text>
          <Text className='muted'>
            已预付的：务工月数达到要求的自动结算，过了结算截止日仍未达到的转入追回名单。
            预付款没发出去的（待预付、发放失败），过了结算截止日：月数已达到的转为已通过（事后补助，公示后发放），未达到的失效，不用追回。
          </Text>
        </View>
      ) : null}

      {tab === 'generate' ? (
        <View data-testid='generate-panel'>
          <View className='muted'>一次性求职创业补贴、帮扶车间吸纳就业奖补由专班按台账生成名单，生成的申请进入“待审核”。</View>
          {policies.length === 0 ? <View className='muted center'>没有求职补贴或车间奖补政策</View> : null}
          {policies.map((p) => (
            <GenerateRow key={p.id} policy={p} busy={busy === 'gen' + p.id} result={generated[p.id]} onRun={generate} />
          ))}
        </View>
      ) : (
        <View>
          {items === null && !error ? <View className='muted center'>正在读取…</View> : null}
          {items && items.length === 0 ? <View className='muted center' data-testid='queue-empty'>没有记录</View> : null}
          {items && items.length > 0 ? <View className='muted'>共 {total} 条</View> : null}
          {(items || []).map((c) => (
            <View key={c.id} className='row-card' data-testid={`review-${c.id}`}>
              <View className='row-head'>
                <Text className='row-name'>{c.labourer_name}</Text>
                <Text className='muted'>　{c.kind_label} · {c.mode_label}</Text>
                <View style={{ marginLeft: 'auto' }}>
                  <ClaimTag state={c.state} label={c.state_label} />
                </View>
              </View>
              <View className='claim-line'>
                金额 <Text className='claim-amount-small'>{money(c.amount_fen)}</Text>
                {c.trip_date ? `　${showDate(c.trip_date)} ${c.trip_from_name} → ${c.trip_to_name}（${c.dest_scope_label || '未知'}）` : ''}
                {c.has_ticket ? '　有车票照片' : ''}
              </View>
              {c.settle_by ? <View className='muted'>结算截止：{showDate(c.settle_by)}</View> : null}
              {c.failed_conditions.length > 0 ? (
                <View>
                  <View className='field-label'>未满足或未核实的条件</View>
                  <ConditionList conditions={c.failed_conditions} testid='failed-conditions' />
                </View>
              ) : (
                <View className='muted'>全部条件已由台账核实</View>
              )}
              {c.reason ? <View className='muted'>理由：{c.reason}</View> : null}
              {c.state === 'submitted' || c.state === 'recovery' || c.state === 'prepaid' ? (
                <View className='pc-actions'>
                  <Input
                    className='input'
                    style={{ flex: 1, minWidth: '240px' }}
                    placeholder={c.state === 'submitted' ? '审核意见（驳回必填）' : '备注'}
                    value={reasons[c.id] || ''}
                    onInput={(ev) => setReasons((r) => ({ ...r, [c.id]: ev.detail.value }))}
                    data-testid='review-reason'
                  />
                  {c.state === 'submitted' ? (
                    <>
                      <Text className='pc-btn pc-btn-green' data-testid='claim-approve' onClick={() => act(c, 'approve')}>
                        {busy === c.id + 'approve' ? '请稍候…' : '通过'}
                      </Text>
                      <Text className='pc-btn pc-btn-red' data-testid='claim-reject' onClick={() => act(c, 'reject')}>
                        {busy === c.id + 'reject' ? '请稍候…' : '驳回'}
                      </Text>
                    </>
                  ) : (
                    <>
                      <Text className='pc-btn pc-btn-green' data-testid='claim-settle' onClick={() => act(c, 'settle')}>
                        已达到月数，结算
                      </Text>
                      {c.state === 'recovery' ? (
                        <Text className='pc-btn pc-btn-grey' data-testid='claim-recovered' onClick={() => act(c, 'recovered')}>
                          已追回
                        </Text>
                      ) : null}
                    </>
                  )}
                </View>
              ) : null}
            </View>
          ))}
        </View>
      )}
    </View>
  )
}

function GenerateRow(props: { policy: Policy; busy: boolean; result?: Generated; onRun: (p: Policy, employerId: string) => void }) {
  const [emp, setEmp] = useState('')
  const p = props.policy
  return (
    <View className='row-card' data-testid={`gen-${p.id}`}>
      <View className='row-head'>
        <Text className='row-name'>{p.name}</Text>
        <Text className='muted'>　{p.year}年 · {p.kind_label}</Text>
      </View>
      <View className='pc-actions'>
        {p.kind === 'workshop' ? (
          <Input className='input' style={{ flex: 1 }} placeholder='只生成某个单位（可不填：全部车间）' value={emp} onInput={(ev) => setEmp(ev.detail.value)} />
        ) : null}
        <Text className={`pc-btn ${props.busy ? 'pc-btn-disabled' : ''}`} data-testid='gen-run' onClick={() => props.onRun(p, emp)}>
          {props.busy ? '正在生成…' : '生成名单'}
        </Text>
      </View>
      {props.result ? (
        <View className='claim-line' data-testid='gen-result'>
          新生成 {props.result.created} 条，已有 {props.result.existing} 条，不符合 {props.result.not_eligible} 人
          {props.result.candidates
            .filter((c) => c.outcome === 'not_eligible')
            .slice(0, 20)
            .map((c) => (
              <View key={c.labourer_id} className='muted'>
                {c.name}：{c.failed.map((f) => f.reason).join('；')}
              </View>
            ))}
        </View>
      ) : null}
    </View>
  )
}
