export default definePageConfig({ navigationBarTitleText: '交通补助' })
