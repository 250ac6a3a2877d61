export default definePageConfig({ navigationBarTitleText: '我的务工情况' })
