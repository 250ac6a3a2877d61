export default definePageConfig({ navigationBarTitleText: '发放批次详情' })
