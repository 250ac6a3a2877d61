export default definePageConfig({ navigationBarTitleText: '劳动力台账' })
