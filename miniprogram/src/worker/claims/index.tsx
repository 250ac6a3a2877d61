import Taro, { useDidShow } from '@tarojs/taro'
import { Text, View } from '@tarojs/components'
import { useState } from 'react'
import type { BankAccount, Claim } from '../../types/subsidies'
import { myClaims } from '../../services/subsidies'
import { myBankAccount } from '../../services/payments'
import { errorMessage } from '../../services/request'
import { showDate } from '../../utils/date'
import { claimHint, money } from '../../utils/subsidies'
import BigButton from '../../components/BigButton'
import ErrorBanner from '../../components/ErrorBanner'
import PageHeader from '../../components/PageHeader'
import ClaimTag from '../../components/subsidy/ClaimTag'
import '../../components/subsidy/subsidy.css'

const NEW_CLAIM_PAGE = '/worker/claims/new'
const BANK_PAGE = '/worker/claims/bank'

/** 交通补助: the worker's claims with their status, and where the money goes. */
export default function MyClaimsPage() {
  const [claims, setClaims] = useState<Claim[] | null>(null)
  const [bank, setBank] = useState<BankAccount | null | undefined>(undefined)
  const [error, setError] = useState('')

  useDidShow(() => {
    setError('')
    myClaims()
      .then(setClaims)
      .catch((e) => setError(errorMessage(e)))
    myBankAccount()
      .then(setBank)
      .catch(() => setBank(null))
  })

  return (
    <View className='page' data-testid='claims-page'>
      <PageHeader title='交通补助' back />
      <ErrorBanner message={error} />
      <BigButton tone='green' size='huge' icon='🚌' testid='claim-new' onClick={() => Taro.navigateTo({ url: NEW_CLAIM_PAGE })}>
        申领交通补助
      </BigButton>

      <View className='card' data-testid='bank-card' onClick={() => Taro.navigateTo({ url: BANK_PAGE })}>
        <View className='section-title'>收款银行卡</View>
        {bank === undefined ? <View className='muted'>正在读取…</View> : null}
        {bank === null ? (
          <View className='claim-line' data-testid='bank-missing'>
            还没有登记收款账户，补助发不下来。<Text className='link'>点这里登记</Text>
          </View>
        ) : null}
        {bank ? (
          <View>
            <View className='claim-line' data-testid='bank-masked'>
              {bank.bank_name} {bank.account_masked}
            </View>
            <View className='muted'>开户人：{bank.holder_name}　<Text className='link'>修改</Text></View>
          </View>
        ) : null}
      </View>

      <View className='section-title'>我的申领</View>
      {claims === null && !error ? <View className='muted center'>正在读取…</View> : null}
      {claims && claims.length === 0 ? <View className='muted center'>还没有申领过</View> : null}
      {(claims || []).map((c) => (
        <View key={c.id} className='row-card' data-testid={`claim-${c.id}`}>
          <View className='row-head'>
            <Text className='row-name'>{c.kind_label}</Text>
            <View style={{ marginLeft: 'auto' }}>
              <ClaimTag state={c.state} label={c.state_label} worker testid='claim-status' />
            </View>
          </View>
          <View className='claim-amount-small' data-testid='claim-amount'>
            {money(c.amount_fen)}
          </View>
          {c.trip_date ? (
            <View className='claim-line'>
              {showDate(c.trip_date)}　{c.trip_from_name} → {c.trip_to_name}
              {c.dest_scope_label ? `（${c.dest_scope_label}）` : ''}
            </View>
          ) : null}
          <View className='claim-hint'>{claimHint(c)}</View>
        </View>
      ))}
    </View>
  )
}
