export default definePageConfig({ navigationBarTitleText: '想外出' })
