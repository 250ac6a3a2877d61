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
      {me && (me.role === 'taskforce' || me.role === 'official' || me.role === 'admin') ? (
        <BigButton tone='primary' icon='📈' onClick={() => Taro.navigateTo({ url: '/office/dashboard/index' })} testid='open-dashboard'>
          数据看板
        </BigButton>
      ) : null}
      {me && me.role === 'cadre' ? (
        <BigButton tone='green' icon='📝' onClick={() => Taro.navigateTo({ url: '/cadre/tasks/index' })} testid='open-tasks'>
          本月核实任务
        </BigButton>
      ) : null}
      {me && (me.role === 'cadre' || me.role === 'taskforce' || me.role === 'admin') ? (
        <BigButton tone='orange' icon='⏱️' onClick={() => Taro.navigateTo({ url: '/cadre/cases/index' })} testid='open-cases'>
          72小时就业服务
        </BigButton>
      ) : null}
      {me && (me.role === 'taskforce' || me.role === 'admin') ? (
        <BigButton tone='green' icon='🏭' onClick={() => Taro.navigateTo({ url: '/taskforce/moderation/index' })} testid='open-moderation'>
          岗位与单位审核
        </BigButton>
      ) : null}
      {me && (me.role === 'taskforce' || me.role === 'official' || me.role === 'admin') ? (
        <BigButton tone='blue' icon='🎯' onClick={() => Taro.navigateTo({ url: '/taskforce/kpi/index' })} testid='open-kpi'>
          72小时服务成效
        </BigButton>
      ) : null}
      {me && (me.role === 'taskforce' || me.role === 'admin') ? (
        <BigButton tone='orange' icon='✅' onClick={() => Taro.navigateTo({ url: '/taskforce/review/index' })} testid='open-review'>
          审核队列
        </BigButton>
      ) : null}
      {me && (me.role === 'taskforce' || me.role === 'official' || me.role === 'admin') ? (
        <BigButton tone='blue' icon='📊' onClick={() => Taro.navigateTo({ url: '/taskforce/completion/index' })} testid='open-completion'>
          核实完成情况
        </BigButton>
      ) : null}
      {me && me.role !== 'employer' && me.role !== 'worker' ? (
        <BigButton tone='purple' icon='📑' onClick={() => Taro.navigateTo({ url: '/office/lists/index' })} testid='open-lists'>
          六张清单
        </BigButton>
      ) : null}
      {me && (me.role === 'taskforce' || me.role === 'admin') ? (
        <BigButton tone='grey' icon='📥' onClick={() => Taro.navigateTo({ url: '/taskforce/import/index' })} testid='open-import'>
          导入台账 / 异动导出
        </BigButton>
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
      {me && me.role === 'employer' ? (
        <BigButton tone='green' icon='🏭' onClick={() => Taro.reLaunch({ url: '/employer/home/index' })} testid='open-employer'>
          招聘管理
        </BigButton>
      ) : null}
      {me && (me.role === 'taskforce' || me.role === 'admin') ? (
        <BigButton tone='green' icon='💰' onClick={() => Taro.navigateTo({ url: '/taskforce/subsidies/index' })} testid='open-subsidies'>
          补贴审核与发放
        </BigButton>
      ) : null}
      {me && me.role === 'employer' ? (
        <BigButton tone='green' icon='💰' onClick={() => Taro.navigateTo({ url: '/employer-subsidy/index' })} testid='open-employer-subsidy'>
          吸纳就业奖补
        </BigButton>
      ) : null}
      <BigButton tone='plain' onClick={() => Taro.navigateTo({ url: ME_PAGE })}>
        我的
      </BigButton>
    </View>
  )
}
