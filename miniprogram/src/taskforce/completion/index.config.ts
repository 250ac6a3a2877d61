export default definePageConfig({ navigationBarTitleText: '核实完成情况' })
