export default definePageConfig({ navigationBarTitleText: '吸纳就业奖补' })
