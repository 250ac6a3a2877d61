export default definePageConfig({ navigationBarTitleText: '暂不外出' })
