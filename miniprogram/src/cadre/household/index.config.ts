export default definePageConfig({ navigationBarTitleText: '一户人家' })
