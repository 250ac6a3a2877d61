import { View } from '@tarojs/components'
import type { Option } from '../types/api'

interface Props {
  options: Option[]
  value: string
  onChange: (code: string) => void
  testidPrefix?: string
}

/** Chips is a single choice shown as big tappable chips (every □ group on the form is single choice). */
export default function Chips(props: Props) {
  return (
    <View className='chips'>
      {props.options.map((o) => (
        <View
          key={o.code}
          className={`chip ${props.value === o.code ? 'chip-on' : ''}`}
          data-testid={props.testidPrefix ? `${props.testidPrefix}-${o.code}` : undefined}
          onClick={() => props.onChange(o.code)}
        >
          {o.label}
        </View>
      ))}
    </View>
  )
}

interface YesNoProps {
  value: boolean | null
  onChange: (v: boolean) => void
  testidPrefix?: string
  yes?: string
  no?: string
}

/** YesNo is a two-chip 是/否 choice. */
export function YesNo(props: YesNoProps) {
  const value = props.value === null ? '' : props.value ? 'yes' : 'no'
  return (
    <Chips
      options={[
        { code: 'yes', label: props.yes || '是' },
        { code: 'no', label: props.no || '否' }
      ]}
      value={value}
      onChange={(c) => props.onChange(c === 'yes')}
      testidPrefix={props.testidPrefix}
    />
  )
}
