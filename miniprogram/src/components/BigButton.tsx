import { Text, View } from '@tarojs/components'
import type { ReactNode } from 'react'

export type Tone = 'primary' | 'green' | 'blue' | 'orange' | 'purple' | 'grey' | 'plain' | 'danger'

interface Props {
  children: ReactNode
  onClick?: () => void
  tone?: Tone
  size?: 'huge' | 'big' | 'small'
  icon?: string
  testid?: string
  disabled?: boolean
  loading?: boolean
  className?: string
}

/** BigButton is a tall, full-width button for big fingers (at least 56 px high on a phone). */
export default function BigButton(props: Props) {
  const { tone = 'primary', size = 'big', disabled, loading } = props
  const cls = ['bb', `bb-${tone}`, `bb-${size}`, disabled || loading ? 'bb-disabled' : '', props.className || '']
    .filter(Boolean)
    .join(' ')
  return (
    <View
      className={cls}
      data-testid={props.testid}
      hoverClass='bb-hover'
      onClick={() => {
        if (!disabled && !loading && props.onClick) props.onClick()
      }}
    >
      {props.icon ? <Text className='bb-icon'>{props.icon}</Text> : null}
      <Text className='bb-text'>{loading ? '请稍候…' : props.children}</Text>
    </View>
  )
}
