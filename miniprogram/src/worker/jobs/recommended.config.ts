export default definePageConfig({ navigationBarTitleText: '给我推荐的岗位', enablePullDownRefresh: true })
