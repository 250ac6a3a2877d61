export default definePageConfig({ navigationBarTitleText: '六张清单' })
