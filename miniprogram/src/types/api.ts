// Types mirroring the 就业帮 JSON API (/api/v1). All IDs are strings: they exceed 2^53.

export type Role = 'worker' | 'cadre' | 'taskforce' | 'official' | 'employer' | 'admin'

export interface FieldError {
  field: string
  code: string
  message: string
}

export interface ErrorBody {
  error: {
    code: string
    message: string
    fields?: FieldError[]
  }
}

export interface Scope {
  code: string
  name: string
}

export type BindingStatus = 'none' | 'bound' | 'pending'

export interface Me {
  id: string
  role: Role
  role_label: string
  name: string
  phone_masked: string
  binding_status: BindingStatus
  labourer_id: string | null
  scopes: Scope[]
}

export interface TokenPair {
  access_token: string
  refresh_token: string
  expires_in: number
  me: Me
}

export interface DevAccount {
  id: string
  role: Role
  role_label: string
  name: string
}

export interface BindRequest {
  name: string
  id_number: string
  phone: string
  village_code?: string
}

export interface BindResult {
  status: 'bound' | 'pending'
  me: Me
}

export interface Option {
  code: string
  label: string
}

export type OptionGroup =
  | 'report_kinds'
  | 'return_reasons'
  | 'no_plan_reasons'
  | 'employment_forms'
  | 'industries'
  | 'labour_capacities'
  | 'skill_levels'
  | 'educations'
  | 'population_categories'
  | 'ethnicities'
  | 'place_scopes'
  | 'labourer_states'
  | 'temp_exit_reasons'
  | 'perm_exit_reasons'
  | 'roles'
  | 'verifications'
  | 'not_out_types'
  | 'organised_outputs'
  | 'training_categories'
  | 'employment_services'
  | 'contact_methods'

export type Options = Partial<Record<OptionGroup, Option[]>>

export type RegionLevel = 'province' | 'city' | 'county' | 'town' | 'village' | string

export interface Region {
  code: string
  name: string
  level: RegionLevel
}

export type RecordStatus = 'pending' | 'active' | string

export interface LabourerRef {
  id: string
  name: string
  id_masked: string
  phone_masked: string
  village_code: string
  region_path: string
  record_status: RecordStatus
}

export type CurrentKind = 'working' | 'returned' | 'plan_out' | 'no_plan' | 'unknown'

export interface CurrentStatus {
  kind: CurrentKind
  label: string
  since: string | null
  self_reported: boolean
  review: string
  review_label: string
}

export interface Spell {
  id: string
  start_date: string
  end_date: string | null
  place_code: string
  place_name: string
  place_scope: string
  place_scope_label: string
  form: string
  form_label: string
  employer_name: string
  monthly_wage: number
  industry: string
  industry_label: string
  contract: boolean
  social_insurance: boolean
  source: string
  verified: boolean
}

export interface LastReturn {
  return_date: string
  reason: string
  reason_label: string
  wants_work: boolean
  prev_place_name: string
}

export interface Plan {
  has_plan: boolean
  dest_code: string
  dest_name: string
  job: string
  expected_wage: number
  planned_month: string
  no_plan_reason: string
  no_plan_reason_label: string
}

export interface HistoryItem {
  id: string
  kind: string
  kind_label: string
  source: string
  review: string
  review_label: string
  created_at: string
  summary: string
}

export interface StatusCard {
  labourer: LabourerRef
  current: CurrentStatus
  spell: Spell | null
  last_return: LastReturn | null
  plan: Plan | null
  history: HistoryItem[]
}

export type ReportKind = 'still_working' | 'new_job' | 'returned' | 'plan_out' | 'no_plan'

export interface StillWorkingReport {
  kind: 'still_working'
}

export interface NewJobReport {
  kind: 'new_job'
  start_date: string
  place_code: string
  form: string
  form_other: string
  employer_name: string
  monthly_wage: number
  industry: string
  industry_other: string
  contract: boolean
  social_insurance: boolean
}

export interface ReturnedReport {
  kind: 'returned'
  wants_work: boolean
  return_date?: string
  reason?: string
}

export interface PlanOutReport {
  kind: 'plan_out'
  dest_code: string
  job: string
  expected_wage: number
  planned_month?: string
}

export interface NoPlanReport {
  kind: 'no_plan'
  reason: string
  reason_other: string
}

export type Report = StillWorkingReport | NewJobReport | ReturnedReport | PlanOutReport | NoPlanReport

export interface LabourerListItem {
  id: string
  name: string
  id_masked: string
  phone_masked: string
  village_code: string
  village_name: string
  record_status: RecordStatus
  status_label: string
  category_label: string
}

export interface Page<T> {
  items: T[]
  total: number
  page: number
  page_size: number
}

/** Labourer detail: the list fields plus 基本信息 fields; labels come as *_label. */
export interface LabourerDetail extends LabourerListItem {
  region_path?: string
  gender?: string
  birth_date?: string
  ethnicity?: string
  address?: string
  education_label?: string
  labour_capacity_label?: string
  skill_level_label?: string
  state_label?: string
  [key: string]: unknown
}

export interface AdminAccount {
  id: string
  role: Role
  role_label: string
  username: string
  name: string
  scopes: Scope[]
  locked: boolean
}

export interface NewAccount {
  username: string
  password: string
  role: Role
  display_name: string
  region_codes: string[]
}
