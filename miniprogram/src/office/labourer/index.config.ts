export default definePageConfig({ navigationBarTitleText: '劳动力详情' })
