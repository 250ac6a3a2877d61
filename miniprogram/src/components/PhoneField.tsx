import { Input, View } from '@tarojs/components'

interface Props {
  value: string
  onChange: (phone: string) => void
  /** onVerified is used by the weapp variant only (phone bound through WeChat). */
  onVerified?: (masked: string) => void
  verifiedMasked?: string
}

/** PhoneField (H5): the phone number is typed. See PhoneField.weapp.tsx for WeChat. */
export default function PhoneField(props: Props) {
  return (
    <View>
      <Input
        className='input'
        type='number'
        maxlength={11}
        placeholder='11位手机号'
        value={props.value}
        onInput={(e) => props.onChange(e.detail.value)}
        data-testid='bind-phone'
      />
    </View>
  )
}
