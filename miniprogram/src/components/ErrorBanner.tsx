import { View } from '@tarojs/components'

/** ErrorBanner shows a whole-form or whole-page error in red. */
export default function ErrorBanner({ message }: { message: string }) {
  if (!message) return null
  return (
    <View className='error-banner' data-testid='error-banner'>
      {message}
    </View>
  )
}
