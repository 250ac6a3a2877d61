import Popup from '@nutui/nutui-react-taro/dist/es/packages/popup/index'
import '@nutui/nutui-react-taro/dist/es/packages/popup/style/css'
import { View } from '@tarojs/components'
import type { ReactNode } from 'react'

interface Props {
  visible: boolean
  title: string
  onClose: () => void
  children: ReactNode
  tall?: boolean
}

/** Sheet is a bottom sheet (NutUI Popup) with a large title. */
export default function Sheet(props: Props) {
  return (
    <Popup
      visible={props.visible}
      position='bottom'
      round
      closeable
      destroyOnClose
      onClose={props.onClose}
      style={props.tall ? { height: '80%' } : undefined}
    >
      <View className='sheet'>
        <View className='sheet-title'>{props.title}</View>
        {props.children}
      </View>
    </Popup>
  )
}
