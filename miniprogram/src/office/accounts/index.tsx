import Taro, { useLoad } from '@tarojs/taro'
import { Input, Text, View } from '@tarojs/components'
import { useState } from 'react'
import type { AdminAccount, Role } from '../../types/api'
import { createAccount, listAccounts } from '../../services/admin'
import { errorMessage } from '../../services/request'
import { ROLE_LABELS } from '../../utils/labels'
import BigButton from '../../components/BigButton'
import Chips from '../../components/Chips'
import ErrorBanner from '../../components/ErrorBanner'
import Field from '../../components/Field'
import PageHeader from '../../components/PageHeader'
import RegionPicker, { DEPTH, type PickedRegion } from '../../components/RegionPicker'
import { useSubmit } from '../../components/useSubmit'

// Roles whose work is bounded by regions (the server requires region_codes for them).
const SCOPED_ROLES = ['cadre', 'taskforce', 'official']

const ROLE_OPTIONS = (Object.keys(ROLE_LABELS) as Role[]).map((r) => ({ code: r, label: ROLE_LABELS[r] }))

/** 账号管理 (admin): list accounts and create one. */
export default function AccountsPage() {
  const [items, setItems] = useState<AdminAccount[]>([])
  const [error, setError] = useState('')
  const [username, setUsername] = useState('')
  const [password, setPassword] = useState('')
  const [role, setRole] = useState<string>('')
  const [displayName, setDisplayName] = useState('')
  const [regions, setRegions] = useState<PickedRegion[]>([])
  const s = useSubmit()

  useLoad(() => {
    listAccounts()
      .then(setItems)
      .catch((e) => setError(errorMessage(e)))
  })

  const addRegion = (r: PickedRegion) => {
    if (!regions.some((x) => x.code === r.code)) setRegions([...regions, r])
  }

  const submit = async () => {
    const errs: Record<string, string> = {}
    if (!username.trim()) errs.username = '请填写用户名'
    if (password.length < 8) errs.password = '密码至少8位'
    if (!role) errs.role = '请选择角色'
    if (!displayName.trim()) errs.display_name = '请填写姓名'
    if (Object.keys(errs).length) {
      s.fail(errs)
      return
    }
    const r = await s.run(() =>
      createAccount({
        username: username.trim(),
        password,
        role: role as Role,
        display_name: displayName.trim(),
        region_codes: regions.map((x) => x.code)
      })
    )
    if (r.ok) {
      setItems([r.value, ...items])
      setUsername('')
      setPassword('')
      setDisplayName('')
      setRegions([])
      Taro.showToast({ title: '已创建', icon: 'success' })
    }
  }

  const e = s.fieldErrors
  return (
    <View className='page'>
      <PageHeader title='账号管理' back />
      <ErrorBanner message={error} />
      <View className='section-title'>新建账号</View>
      <View className='card'>
        <ErrorBanner message={s.formError} />
        <Field label='用户名' name='username' required error={e.username}>
          <Input className='input' value={username} maxlength={50} onInput={(ev) => setUsername(ev.detail.value)} data-testid='acct-username' />
        </Field>
        <Field label='初始密码' name='password' required error={e.password}>
          <Input className='input' password value={password} maxlength={64} onInput={(ev) => setPassword(ev.detail.value)} />
        </Field>
        <Field label='角色' name='role' required error={e.role}>
          <Chips options={ROLE_OPTIONS} value={role} onChange={setRole} testidPrefix='acct-role' />
        </Field>
        <Field label='姓名' name='display_name' required error={e.display_name}>
          <Input className='input' value={displayName} maxlength={50} onInput={(ev) => setDisplayName(ev.detail.value)} />
        </Field>
        <Field label='负责地区' name='region_codes' required={SCOPED_ROLES.includes(role)} error={e.region_codes}>
          {regions.map((r) => (
            <View key={r.code} className='kv'>
              <View className='v'>{r.name}</View>
              <Text className='link' onClick={() => setRegions(regions.filter((x) => x.code !== r.code))}>
                删除
              </Text>
            </View>
          ))}
          <RegionPicker
            title='添加负责地区'
            value={null}
            onChange={addRegion}
            minDepth={DEPTH.province}
            maxDepth={DEPTH.village}
            placeholder='＋ 添加地区'
          />
        </Field>
        <BigButton loading={s.busy} onClick={submit} testid='acct-submit'>
          创建账号
        </BigButton>
      </View>
      <View className='section-title'>已有账号（{items.length}）</View>
      {items.map((a) => (
        <View key={a.id} className='row-card'>
          <View className='row-head'>
            <Text className='row-name'>{a.name}</Text>
            <Text className='tag'>{a.role_label || ROLE_LABELS[a.role]}</Text>
            {a.locked ? <Text className='tag tag-warn'>已锁定</Text> : null}
          </View>
          <View className='muted'>用户名：{a.username}</View>
          {a.scopes && a.scopes.length ? <View className='muted'>地区：{a.scopes.map((x) => x.name).join('、')}</View> : null}
        </View>
      ))}
    </View>
  )
}
