export default definePageConfig({ navigationBarTitleText: '岗位与报名人员' })
