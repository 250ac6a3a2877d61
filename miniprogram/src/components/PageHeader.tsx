import Taro from '@tarojs/taro'
import { Text, View } from '@tarojs/components'

interface Props {
  title: string
  back?: boolean
  right?: { label: string; onClick: () => void }
}

/**
 * PageHeader is the title bar drawn on H5 (the browser has no native navigation bar);
 * in the weapp the native bar shows the page title, so only the right action is kept.
 */
export default function PageHeader(props: Props) {
  const isH5 = process.env.TARO_ENV === 'h5'
  if (!isH5 && !props.right) return null
  return (
    <View className={isH5 ? 'page-header' : 'page-header page-header-mini'}>
      {isH5 && props.back ? (
        <Text className='page-header-back' data-testid='page-back' onClick={() => Taro.navigateBack().catch(() => undefined)}>
          ‹ 返回
        </Text>
      ) : (
        <Text className='page-header-back' />
      )}
      {isH5 ? <Text className='page-header-title'>{props.title}</Text> : <Text />}
      {props.right ? (
        <Text className='page-header-right' onClick={props.right.onClick}>
          {props.right.label}
        </Text>
      ) : (
        <Text className='page-header-right' />
      )}
    </View>
  )
}
