// Single-choice groups of the collection form (seed 002 附件1). The server's /api/v1/options
// is preferred when it has the group; these are the same codes, for a phone with no network.
import type { Option } from '../../types/api'

export const LOCAL_OPTIONS: Record<string, Option[]> = {
  verifications: [
    { code: 'unverified', label: '未核实' },
    { code: 'verified', label: '已核实' },
    { code: 'unreachable', label: '联系不上' }
  ],
  labourer_states: [
    { code: 'normal', label: '正常' },
    { code: 'temp_exit', label: '暂时退出' },
    { code: 'perm_exit', label: '永久退出' }
  ],
  temp_exit_reasons: [
    { code: 'school', label: '上学' },
    { code: 'military', label: '参军' },
    { code: 'prison', label: '服刑' },
    { code: 'temp_incapacity', label: '暂时丧失劳动力' }
  ],
  perm_exit_reasons: [
    { code: 'death', label: '死亡' },
    { code: 'perm_incapacity', label: '永久丧失劳动力' }
  ],
  labour_capacities: [
    { code: 'ordinary', label: '普通劳动力' },
    { code: 'skilled', label: '技能劳动力' },
    { code: 'weak', label: '弱劳动力或半劳动力' }
  ],
  skill_levels: [
    { code: 'none', label: '无' },
    { code: 'junior', label: '初级' },
    { code: 'intermediate', label: '中级' },
    { code: 'senior', label: '高级' },
    { code: 'technician', label: '技师' },
    { code: 'senior_technician', label: '高级技师' }
  ],
  educations: [
    { code: 'none', label: '未上过学' },
    { code: 'primary', label: '小学' },
    { code: 'junior_high', label: '初中' },
    { code: 'senior_high', label: '高中' },
    { code: 'secondary_vocational', label: '中专/中职' },
    { code: 'junior_college', label: '大专' },
    { code: 'bachelor', label: '本科及以上' }
  ],
  employment_forms: [
    { code: 'employed', label: '单位就业' },
    { code: 'self_employed', label: '自主创业' },
    { code: 'flexible', label: '灵活就业' },
    { code: 'cooperative', label: '农业合作社等新型经营主体' },
    { code: 'workshop', label: '就业帮扶车间' },
    { code: 'base', label: '就业帮扶基地' },
    { code: 'public_welfare', label: '公益性岗位' },
    { code: 'other', label: '其他就业形式' }
  ],
  industries: [
    { code: 'planting', label: '种植' },
    { code: 'breeding', label: '养殖' },
    { code: 'technician', label: '技工' },
    { code: 'general_worker', label: '普工' },
    { code: 'domestic', label: '家庭服务业' },
    { code: 'construction', label: '建筑/装修' },
    { code: 'sanitation', label: '环卫/保卫/市政维护' },
    { code: 'administration', label: '行政/管理' },
    { code: 'service', label: '服务员/接待员/收银/导购员' },
    { code: 'other', label: '其他' }
  ],
  organised_outputs: [
    { code: 'none', label: '否' },
    { code: 'point_to_point', label: '专车、专列点对点输送' },
    { code: 'job_fair', label: '免费专场招聘会' }
  ],
  not_out_types: [
    { code: 'never_out', label: '从未外出就业过(包括新成长劳动力)' },
    { code: 'lost_job', label: '就业转失业' }
  ],
  no_plan_reasons: [
    { code: 'scale_farming', label: '转业规模种养' },
    { code: 'farming', label: '务农' },
    { code: 'family_care', label: '照顾家人' },
    { code: 'health', label: '身体或精神状态不佳' },
    { code: 'unwilling', label: '主观意愿不强' },
    { code: 'other', label: '其他' }
  ],
  return_reasons: [
    { code: 'epidemic', label: '因疫情' },
    { code: 'disaster', label: '因灾' },
    { code: 'farming', label: '因农忙' },
    { code: 'illness', label: '因病' },
    { code: 'personal', label: '个人家庭等原因' }
  ],
  training_categories: [
    { code: 'skill', label: '技能培训' },
    { code: 'startup', label: '创业培训' }
  ],
  contact_methods: [
    { code: 'visit', label: '入户' },
    { code: 'phone', label: '电话' },
    { code: 'wechat', label: '微信' },
    { code: 'other', label: '其他' }
  ]
}

/** optionLabel finds a code's label in a group ('' when unknown). */
export function optionLabel(group: string, code: string, server?: Record<string, Option[] | undefined>): string {
  const list = (server && server[group]) || LOCAL_OPTIONS[group] || []
  const o = list.find((x) => x.code === code)
  return o ? o.label : code
}
