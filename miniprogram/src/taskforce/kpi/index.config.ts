export default definePageConfig({ navigationBarTitleText: '72小时服务成效' })
