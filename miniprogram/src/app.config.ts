// Pages: the main package holds what every role needs (login, identity binding, 我的);
// each role's pages live in its own subpackage so a worker's phone downloads only theirs.
export default defineAppConfig({
  pages: ['pages/login/index', 'pages/bind/index', 'pages/me/index'],
  subPackages: [
    {
      root: 'worker',
      pages: ['home/index', 'new-job/index', 'plan-out/index', 'no-plan/index', 'jobs/recommended', 'jobs/detail', 'inbox/index', 'claims/index', 'claims/new', 'claims/bank']
    },
    {
      root: 'office',
      pages: ['home/index', 'labourers/index', 'labourer/index', 'accounts/index', 'lists/index', 'dashboard/index']
    },
    {
      root: 'cadre',
      pages: ['tasks/index', 'form/index', 'household/index', 'cases/index']
    },
    {
      root: 'taskforce',
      pages: ['review/index', 'completion/index', 'import/index', 'moderation/index', 'kpi/index', 'subsidies/index', 'subsidies/notices', 'subsidies/batches', 'subsidies/batch']
    },
    {
      root: 'employer',
      pages: ['home/index', 'register/index', 'post/index', 'job/index']
    },
    {
      root: 'employer-subsidy',
      pages: ['index']
    }
  ],
  // The proof of a door-to-door visit records where it happened.
  permission: {
    'scope.userLocation': { desc: '记录入户核实的地点' }
  },
  requiredPrivateInfos: ['getLocation'],
  window: {
    backgroundTextStyle: 'light',
    navigationBarBackgroundColor: '#1565c0',
    navigationBarTitleText: '就业帮',
    navigationBarTextStyle: 'white',
    backgroundColor: '#f4f6f8'
  }
})
