import Taro, { useLoad } from '@tarojs/taro'
import { Image, Picker, Text, View } from '@tarojs/components'
import { useState } from 'react'
import type { Claim, Policy } from '../../types/subsidies'
import { createClaim, myPolicies } from '../../services/subsidies'
import { getMyStatus } from '../../services/me'
import { ApiError, errorMessage } from '../../services/request'
import { showDate, today } from '../../utils/date'
import { claimHint, money, policyAmountText, validateClaimForm } from '../../utils/subsidies'
import BigButton from '../../components/BigButton'
import ErrorBanner from '../../components/ErrorBanner'
import Field from '../../components/Field'
import PageHeader from '../../components/PageHeader'
import RegionPicker, { DEPTH, type PickedRegion } from '../../components/RegionPicker'
import { useSubmit } from '../../components/useSubmit'
import ClaimTag from '../../components/subsidy/ClaimTag'
import ConditionList from '../../components/subsidy/ConditionList'
import '../../components/subsidy/subsidy.css'
import { choosePhoto, MAX_TICKET_BYTES } from './photo'

/** 申领交通补助: pick the policy, the trip (from, to, date), an optional ticket photo. */
export default function NewClaimPage() {
  const [policies, setPolicies] = useState<Policy[] | null>(null)
  const [policyId, setPolicyId] = useState('')
  const [from, setFrom] = useState<PickedRegion | null>(null)
  const [to, setTo] = useState<PickedRegion | null>(null)
  const [date, setDate] = useState(today())
  const [photo, setPhoto] = useState('')
  const [result, setResult] = useState<{ claim: Claim; existing: boolean } | null>(null)
  const s = useSubmit()

  useLoad(() => {
    myPolicies()
      .then((list) => {
        const transport = list.filter((p) => p.kind === 'transport' && p.active)
        setPolicies(transport)
        if (transport.length === 1) setPolicyId(transport[0].id)
      })
      .catch((e) => s.setFormError(errorMessage(e)))
    // The trip starts at home by default: the worker's county (from the ledger).
    getMyStatus()
      .then((card) => {
        const v = card.labourer && card.labourer.village_code
        if (!v || v.length < 6) return
        const names = (card.labourer.region_path || '').split(' ').filter(Boolean).slice(0, 3)
        setFrom((cur) => cur || { code: v.slice(0, 6), name: names.join(' ') || v.slice(0, 6), path: [] })
      })
      .catch(() => undefined)
  })

  const pickPhoto = async () => {
    const p = await choosePhoto().catch(() => null)
    if (!p) return
    if (p.size > MAX_TICKET_BYTES) {
      s.fail({ ticket_photo: '照片太大了（不能超过300KB），请重新拍一张' })
      return
    }
    setPhoto(p.dataUrl)
  }

  const submit = async () => {
    const errs = validateClaimForm({ policyId, from: from ? from.code : '', to: to ? to.code : '', date }, today())
    if (Object.keys(errs).length) {
      s.fail(errs)
      return
    }
    const r = await s.run(() =>
      createClaim({ policy_id: policyId, trip_from: from!.code, trip_to: to!.code, trip_date: date, ticket_photo: photo || undefined })
    )
    if (r.ok) {
      setResult({ claim: r.value, existing: false })
      return
    }
    // One claim per policy and year: the answer carries the existing claim.
    const e = r.error
    if (e instanceof ApiError && e.code === 'already_claimed' && e.body && e.body.error && e.body.error.data) {
      s.setFormError('')
      setResult({ claim: e.body.error.data as Claim, existing: true })
    }
  }

  if (result) {
    const c = result.claim
    const ok = c.failed_conditions.length === 0 && c.state !== 'rejected'
    return (
      <View className='page' data-testid='claim-result'>
        <PageHeader title='申领结果' back />
        <View className='result-card card'>
          {result.existing ? <View className='claim-line' data-testid='claim-existing'>今年已经申领过这项补助，下面是你的申领：</View> : null}
          <View className='result-icon'>{ok ? '✅' : '📋'}</View>
          <View className='result-title'>
            <ClaimTag state={c.state} label={c.state_label} worker testid='result-status' />
          </View>
          <View className='muted'>{c.mode_label}　补助金额（按政策计算）</View>
          <View className='claim-amount' data-testid='result-amount'>
            {money(c.amount_fen)}
          </View>
          {c.dest_scope_label ? <View className='claim-line'>目的地：{c.trip_to_name}（{c.dest_scope_label}）</View> : null}
          <View className='claim-hint'>{claimHint(c)}</View>
        </View>
        <View className='section-title'>{ok ? '符合条件（根据台账核对）' : '核对结果'}</View>
        <View className='card'>
          <ConditionList conditions={c.conditions} testid='result-conditions' />
        </View>
        {!ok && c.state === 'submitted' ? (
          <View className='claim-hint' data-testid='result-review'>
            有条件还没有核实，已转给县专班审核。
          </View>
        ) : null}
        <BigButton size='huge' testid='claim-done' onClick={() => Taro.navigateBack().catch(() => Taro.redirectTo({ url: '/worker/claims/index' }))}>
          查看我的申领
        </BigButton>
      </View>
    )
  }

  const policy = (policies || []).find((p) => p.id === policyId)
  const e = s.fieldErrors
  return (
    <View className='page' data-testid='claim-form'>
      <PageHeader title='申领交通补助' back />
      <ErrorBanner message={s.formError} />
      <Field label='申领哪项补助' name='policy_id' required error={e.policy_id}>
        {policies === null ? <View className='muted'>正在读取…</View> : null}
        {policies && policies.length === 0 ? <View className='muted'>你所在的省今年还没有可以申领的交通补助</View> : null}
        {(policies || []).map((p) => (
          <View
            key={p.id}
            className={`chip ${policyId === p.id ? 'chip-on' : ''}`}
            data-testid={`policy-${p.id}`}
            onClick={() => setPolicyId(p.id)}
          >
            {p.name}
          </View>
        ))}
        {policy ? (
          <View className='field-hint' data-testid='policy-terms'>
            {policy.mode_label}：{policyAmountText(policy)}。金额由系统按政策计算，不用自己填。
          </View>
        ) : null}
      </Field>
      <Field label='从哪里出发' name='trip_from' required error={e.trip_from}>
        <RegionPicker
          title='从哪里出发'
          value={from}
          onChange={setFrom}
          minDepth={DEPTH.county}
          maxDepth={DEPTH.county}
          placeholder='点这里选省、市、县'
          testid='claim-from'
        />
      </Field>
      <Field label='去哪里务工' name='trip_to' required error={e.trip_to}>
        <RegionPicker
          title='去哪里务工'
          value={to}
          onChange={setTo}
          minDepth={DEPTH.county}
          maxDepth={DEPTH.county}
          placeholder='点这里选省、市、县'
          testid='claim-to'
        />
      </Field>
      <Field label='哪天出发' name='trip_date' required error={e.trip_date}>
        <Picker mode='date' value={date || today()} end={today()} onChange={(ev) => setDate(ev.detail.value)}>
          <View className='input picker-box' data-testid='claim-date'>
            {showDate(date) || '点这里选日期'}
          </View>
        </Picker>
      </Field>
      <Field label='车票或行程截图' name='ticket_photo' error={e.ticket_photo} hint={policy && policy.documents.indexOf('ticket') >= 0 ? '这项补助需要车票照片' : '有的话拍一张，没有也可以申领'}>
        <BigButton tone='plain' size='small' icon='📷' testid='claim-photo' onClick={pickPhoto}>
          {photo ? '重新拍' : '拍照或选照片'}
        </BigButton>
        {photo ? <Image className='ticket-preview' src={photo} mode='aspectFit' /> : null}
      </Field>
      <BigButton size='huge' loading={s.busy} onClick={submit} testid='claim-submit'>
        <Text>提交申领</Text>
      </BigButton>
    </View>
  )
}
