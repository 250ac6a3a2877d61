import Taro, { useDidShow } from '@tarojs/taro'
import { View } from '@tarojs/components'
import { useState } from 'react'
import type { Me } from '../../types/api'
import { fetchMe, logout } from '../../services/auth'
import { errorMessage } from '../../services/request'
import { getMe } from '../../services/session'
import { roleLabel } from '../../utils/labels'
import { homeFor, toLogin } from '../../utils/nav'
import BigButton from '../../components/BigButton'
import ErrorBanner from '../../components/ErrorBanner'
import PageHeader from '../../components/PageHeader'

const BINDING_LABELS: Record<string, string> = { none: '未绑定', pending: '等待确认', bound: '已绑定' }

/** 我的: the account, and logout. */
export default function MePage() {
  const [me, setMe] = useState<Me | null>(getMe())
  const [error, setError] = useState('')
  const [busy, setBusy] = useState(false)

  useDidShow(() => {
    fetchMe()
      .then(setMe)
      .catch((e) => setError(errorMessage(e)))
  })

  const onLogout = async () => {
    setBusy(true)
    await logout()
    setBusy(false)
    toLogin()
  }

  return (
    <View className='page'>
      <PageHeader title='我的' back />
      <ErrorBanner message={error} />
      {me ? (
        <View className='card' data-testid='me-card'>
          <View className='kv'>
            <View className='k'>姓名</View>
            <View className='v'>{me.name}</View>
          </View>
          <View className='kv'>
            <View className='k'>身份</View>
            <View className='v'>{roleLabel(me.role, me.role_label)}</View>
          </View>
          {me.phone_masked ? (
            <View className='kv'>
              <View className='k'>手机号</View>
              <View className='v'>{me.phone_masked}</View>
            </View>
          ) : null}
          {me.role === 'worker' ? (
            <View className='kv'>
              <View className='k'>身份信息</View>
              <View className='v'>{BINDING_LABELS[me.binding_status] || me.binding_status}</View>
            </View>
          ) : null}
          {me.scopes && me.scopes.length ? (
            <View className='kv'>
              <View className='k'>负责地区</View>
              <View className='v'>{me.scopes.map((s) => s.name).join('、')}</View>
            </View>
          ) : null}
        </View>
      ) : null}
      {me ? (
        <BigButton tone='plain' onClick={() => Taro.reLaunch({ url: homeFor(me) })}>
          回到首页
        </BigButton>
      ) : null}
      <BigButton tone='danger' loading={busy} onClick={onLogout} testid='logout'>
        退出登录
      </BigButton>
    </View>
  )
}
