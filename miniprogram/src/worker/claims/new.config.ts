export default definePageConfig({ navigationBarTitleText: '申领交通补助' })
