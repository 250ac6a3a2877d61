export default definePageConfig({ navigationBarTitleText: '我的收款账户' })
