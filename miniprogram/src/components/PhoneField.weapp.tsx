import Taro from '@tarojs/taro'
import { Button, Input, Text, View } from '@tarojs/components'
import { useState } from 'react'
import { bindPhone } from '../services/me'
import { errorMessage } from '../services/request'

interface Props {
  value: string
  onChange: (phone: string) => void
  onVerified?: (masked: string) => void
  verifiedMasked?: string
}

/**
 * PhoneField (weapp): one tap on WeChat's getPhoneNumber button; the one-time code goes to
 * POST /api/v1/me/phone and the server keeps the number. Typing stays possible as a fallback.
 */
export default function PhoneField(props: Props) {
  const [typing, setTyping] = useState(false)
  const [busy, setBusy] = useState(false)

  if (props.verifiedMasked && !typing) {
    return (
      <View className='phone-verified'>
        <Text>{props.verifiedMasked}</Text>
        <Text className='tag tag-ok'>已验证</Text>
      </View>
    )
  }

  if (typing) {
    return (
      <Input
        className='input'
        type='number'
        maxlength={11}
        placeholder='11位手机号'
        value={props.value}
        onInput={(e) => props.onChange(e.detail.value)}
      />
    )
  }

  return (
    <View>
      <Button
        className='bb bb-green bb-big wx-phone-btn'
        openType='getPhoneNumber'
        disabled={busy}
        onGetPhoneNumber={async (e: any) => {
          const code = e && e.detail && e.detail.code
          if (!code) return // the person said no
          setBusy(true)
          try {
            const me = await bindPhone(code)
            if (props.onVerified) props.onVerified(me.phone_masked)
          } catch (err) {
            Taro.showToast({ title: errorMessage(err), icon: 'none' })
          } finally {
            setBusy(false)
          }
        }}
      >
        用微信绑定的手机号
      </Button>
      <View className='link' onClick={() => setTyping(true)}>
        自己输入手机号
      </View>
    </View>
  )
}
