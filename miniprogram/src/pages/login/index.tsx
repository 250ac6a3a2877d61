import Taro, { useLoad } from '@tarojs/taro'
import { Input, View } from '@tarojs/components'
import { useState } from 'react'
import type { DevAccount } from '../../types/api'
import { devTestIds } from '../../utils/devlogin'
import { devAccounts, devLogin, fetchMe, passwordLogin, wechatLogin } from '../../services/auth'
import { ApiError, errorMessage } from '../../services/request'
import { getAccessToken } from '../../services/session'
import { goHome } from '../../utils/nav'
import BigButton from '../../components/BigButton'
import ErrorBanner from '../../components/ErrorBanner'
import Field from '../../components/Field'
import { useSubmit } from '../../components/useSubmit'
import './index.css'

type Mode = 'loading' | 'wechat' | 'dev' | 'password'

export default function LoginPage() {
  const [mode, setMode] = useState<Mode>('loading')
  const [accounts, setAccounts] = useState<DevAccount[]>([])
  const [pending, setPending] = useState('')
  const [message, setMessage] = useState('')
  const [username, setUsername] = useState('')
  const [password, setPassword] = useState('')
  const [totp, setTotp] = useState('')
  const form = useSubmit()

  const loginWithWechat = async () => {
    setPending('wechat')
    setMessage('')
    try {
      const { code } = await Taro.login()
      goHome(await wechatLogin(code))
    } catch (e) {
      setMessage(errorMessage(e))
    } finally {
      setPending('')
    }
  }

  const loadDevAccounts = async () => {
    setMessage('')
    try {
      setAccounts(await devAccounts())
      setMode('dev')
    } catch (e) {
      // 404: dev login is off on this server, so people sign in with a password.
      if (!(e instanceof ApiError && e.status === 404)) setMessage(errorMessage(e))
      setMode('password')
    }
  }

  useLoad(async () => {
    if (getAccessToken()) {
      try {
        goHome(await fetchMe())
        return
      } catch {
        // The stored session is gone; log in again.
      }
    }
    if (process.env.TARO_ENV === 'weapp') {
      setMode('wechat')
      loginWithWechat()
      return
    }
    loadDevAccounts()
  })

  const onDevLogin = async (a: DevAccount) => {
    setPending(a.id)
    setMessage('')
    try {
      goHome(await devLogin(a.id))
    } catch (e) {
      setMessage(errorMessage(e))
    } finally {
      setPending('')
    }
  }

  const onPasswordLogin = async () => {
    const errs: Record<string, string> = {}
    if (!username.trim()) errs.username = '请填写用户名'
    if (!password) errs.password = '请填写密码'
    if (Object.keys(errs).length) {
      form.fail(errs)
      return
    }
    const r = await form.run(() => passwordLogin(username.trim(), password, totp.trim()))
    if (r.ok) goHome(r.value)
  }

  const ids = devTestIds(accounts)

  return (
    <View className='page login-page'>
      <View className='login-hero'>
        <View className='login-title'>就业帮</View>
        <View className='login-sub'>务工情况，一点就报</View>
      </View>

      <ErrorBanner message={message} />

      {mode === 'loading' ? <View className='muted center'>正在打开…</View> : null}

      {mode === 'wechat' ? (
        <View>
          <BigButton tone='green' size='huge' loading={pending === 'wechat'} onClick={loginWithWechat} testid='wechat-login'>
            微信登录
          </BigButton>
          <View className='link center' onClick={() => setMode('password')}>
            工作人员用账号密码登录
          </View>
        </View>
      ) : null}

      {mode === 'dev' ? (
        <View>
          <View className='section-title'>选一个演示账号登录</View>
          {accounts.map((a) => (
            <BigButton
              key={a.id}
              tone={a.role === 'worker' ? 'green' : 'plain'}
              testid={ids[a.id] || `dev-login-account-${a.id}`}
              loading={pending === a.id}
              disabled={!!pending && pending !== a.id}
              onClick={() => onDevLogin(a)}
            >
              {`${a.role_label} · ${a.name}`}
            </BigButton>
          ))}
          <View className='link center' onClick={() => setMode('password')}>
            用账号密码登录
          </View>
        </View>
      ) : null}

      {mode === 'password' ? (
        <View className='card'>
          <ErrorBanner message={form.formError} />
          <Field label='用户名' name='username' required error={form.fieldErrors.username}>
            <Input className='input' value={username} onInput={(e) => setUsername(e.detail.value)} placeholder='用户名' data-testid='login-username' />
          </Field>
          <Field label='密码' name='password' required error={form.fieldErrors.password}>
            <Input className='input' password value={password} onInput={(e) => setPassword(e.detail.value)} placeholder='密码' data-testid='login-password' />
          </Field>
          <Field label='动态验证码' name='totp_code' hint='开启了两步验证的账号才需要填' error={form.fieldErrors.totp_code}>
            <Input className='input' type='number' maxlength={6} value={totp} onInput={(e) => setTotp(e.detail.value)} placeholder='6位数字' />
          </Field>
          <BigButton loading={form.busy} onClick={onPasswordLogin} testid='password-login'>
            登录
          </BigButton>
          {process.env.TARO_ENV === 'weapp' ? (
            <View className='link center' onClick={() => setMode('wechat')}>
              返回微信登录
            </View>
          ) : null}
        </View>
      ) : null}
    </View>
  )
}
