import { View } from '@tarojs/components'

interface Props {
  on: boolean
  label: string
  hint?: string
  disabled?: boolean
  testid?: string
  onChange: (on: boolean) => void
}

/** Toggle is a large on/off switch with its label, the whole row tappable. */
export default function Toggle(props: Props) {
  return (
    <View
      className='toggle-row'
      data-testid={props.testid}
      data-on={props.on ? 'true' : 'false'}
      onClick={() => {
        if (!props.disabled) props.onChange(!props.on)
      }}
    >
      <View>
        <View className='lead'>{props.label}</View>
        {props.hint ? <View className='muted'>{props.hint}</View> : null}
      </View>
      <View className={`toggle ${props.on ? 'toggle-on' : ''}`}>
        <View className='toggle-knob' />
      </View>
    </View>
  )
}
