export default definePageConfig({ navigationBarTitleText: '换了工作' })
