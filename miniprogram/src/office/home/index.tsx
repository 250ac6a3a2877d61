import Taro, { useDidShow } from '@tarojs/taro'
import { View } from '@tarojs/components'
import { useState } from 'react'
import type { Me } from '../../types/api'
import { fetchMe } from '../../services/auth'
import { errorMessage } from '../../services/request'
import { getMe } from '../../services/session'
import { canSeeLedger, roleLabel } from '../../utils/labels'
import { ME_PAGE } from '../../utils/nav'
import BigButton from '../../components/BigButton'
import ErrorBanner from '../../components/ErrorBanner'
import PageHeader from '../../components/PageHeader'

/** Back-office home for cadre, task force, official, employer and admin. */
export default function OfficeHome() {
  const [me, setMe] = useState<Me | null>(getMe())
  const [error, setError] = useState('')

  useDidShow(() => {
    fetchMe()
      .then(setMe)
      .catch((e) => setError(errorMessage(e)))
  })

  return (
    <View className='page' data-testid='office-home'>
      <PageHeader title='工作台' right={{ label: '我的', onClick: () => Taro.navigateTo({ url: ME_PAGE }) }} />
      <ErrorBanner message={error} />
      {me ? (
        <View className='card'>
          <View className='role-badge' data-testid='office-role'>
            {roleLabel(me.role, me.role_label)}
          </View>
          <View className='big-name'>{me.name}</View>
          <View className='muted'>
            负责地区：{me.scopes && me.scopes.length ? me.scopes.map((s) => s.name).join('、') : '未设置'}
          </View>
        </View>
      ) : null}
      {me && canSeeLedger(me.role) ? (
        <BigButton tone='blue' icon='📋' onClick={() => Taro.navigateTo({ url: '/office/labourers/index' })} testid='open-ledger'>
          劳动力台账
        </BigButton>
      ) : null}
      {me && me.role === 'admin' ? (
        <BigButton tone='purple' icon='👤' onClick={() => Taro.navigateTo({ url: '/office/accounts/index' })} testid='open-accounts'>
          账号管理
        </BigButton>
      ) : null}
      {me && me.role === 'employer' ? <View className='muted center'>招聘岗位功能即将开放</View> : null}
      <BigButton tone='plain' onClick={() => Taro.navigateTo({ url: ME_PAGE })}>
        我的
      </BigButton>
    </View>
  )
}
