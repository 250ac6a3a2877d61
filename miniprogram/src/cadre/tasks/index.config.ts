export default definePageConfig({ navigationBarTitleText: '本月核实任务' })
