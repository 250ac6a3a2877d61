export default definePageConfig({ navigationBarTitleText: '72小时就业服务', enablePullDownRefresh: true })
