export default definePageConfig({ navigationBarTitleText: '岗位与单位审核' })
