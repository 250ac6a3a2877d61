export default definePageConfig({ navigationBarTitleText: '就业帮 · 登录' })
