import { Text, View } from '@tarojs/components'
import type { ReactNode } from 'react'

interface Props {
  label: string
  name?: string
  required?: boolean
  hint?: string
  error?: string
  children: ReactNode
}

/** Field is one labelled form row with its error in red underneath. */
export default function Field(props: Props) {
  return (
    <View className='field' data-field={props.name}>
      <View className='field-label'>
        <Text>{props.label}</Text>
        {props.required ? <Text className='field-req'> *</Text> : <Text className='field-opt'>（可不填）</Text>}
      </View>
      {props.children}
      {props.hint ? <View className='field-hint'>{props.hint}</View> : null}
      {props.error ? (
        <View className='field-error' data-testid={props.name ? `error-${props.name}` : undefined}>
          {props.error}
        </View>
      ) : null}
    </View>
  )
}
