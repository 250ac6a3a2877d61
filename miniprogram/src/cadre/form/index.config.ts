export default definePageConfig({ navigationBarTitleText: '信息采集表' })
