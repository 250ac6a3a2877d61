// Types of the verification API (issue 3): the collection form (seed 002 附件1), proof of the
// visit, tasks, the review queue and completion. The form is kept on the phone in FormValues,
// whose paths (`employment.wage`) are the paths the server names in error.fields[].field.

/** 核实情况 */
export type Verification = 'unverified' | 'verified' | 'unreachable'

/**
 * FormValues is the editable part of the form. Numbers the cadre types are kept as strings
 * while editing (an empty box is not 0); services/verify.ts converts them for the server.
 */
export interface FormValues {
  verification: Verification | ''
  /**
   * basic: 基本信息. The read-only facts (name, ethnicity, category …) travel back unchanged
   * as the server sent them; the cadre corrects the typed ones.
   */
  basic: {
    state: string // normal | temp_exit | perm_exit
    state_reason: string
    labour_capacity: string
    skill_level: string
    two_after: boolean | null // 是否为两后生
    education: string
    graduation_date: string // YYYY-MM
    address: string
    [key: string]: unknown
  }
  working: boolean | null // 是否务工
  work_year: {
    start_year: number // 2025 = 2025-10 … 2026-09
    months: string[] // 具体务工时间: YYYY-MM ticked
    months_worked: string // 年度累计务工时间 (3.5 allowed)
    income: string // 年度务工收入, yuan
    flexible_days: string // 其中：灵活就业天数
  }
  employment: {
    place_code: string
    place_name: string // shown only; the server keeps the code
    form: string
    form_other: string
    employer_name: string
    start_date: string // 就业时间 YYYY-MM-DD
    wage: string // 月平均工资
    industry: string
    industry_other: string
    contract: boolean | null
    social_insurance: boolean | null
    assisted: boolean | null // 经帮扶实现就业
    assisted_month: string // 帮扶时间 YYYY-MM
    startup_led: boolean | null // 是否返乡创业带动
    organised: string // 有组织劳务输出: none | point_to_point | job_fair
  }
  not_out: {
    type: string // never_out | lost_job
    lost_job_date: string
    has_plan: boolean | null
    no_plan_reason: string
    no_plan_other: string
    dest_code: string
    dest_name: string // shown only
    planned_month: string
    job: string
    expected_wage: string
  }
  return: {
    returned: boolean | null
    reason: string
    prev_place_code: string
    prev_place_name: string // shown only
    return_date: string
  }
  training: {
    wish: boolean | null
    category: string // skill | startup
    job: string // 意愿培训工种
    month: string // 意愿培训日期 YYYY-MM
  }
  services: {
    none: boolean // 未享受过就业服务
    items: Record<string, string> // guidance | placement | startup | training | other → 次数
  }
}

/** Read-only facts shown at the top of the form (from the ledger). */
export interface FormPerson {
  labourer_id: string
  name: string
  id_masked: string
  phone_masked: string
  region_path: string
  ethnicity: string
  household_id?: string
}

/** Prefill is what the server gives to start a form: the ledger's values and their version. */
export interface Prefill {
  person: FormPerson
  values: FormValues
  /** base_version is the ledger version the values were read at. */
  base_version: number
  /** work_year_months lists the 12 months of the current work year (YYYY-MM). */
  work_year_months?: string[]
}

export interface GeoPoint {
  latitude: number
  longitude: number
  accuracy?: number
}

/** Proof of the visit (issue 3 item 2). */
export interface VisitProof {
  visited_at: string // RFC 3339
  /** method: visit (入户, needs the location) or phone (电话). */
  method: string
  /** confirm_method: signature (本人手写签名) or worker_account (本人微信确认). */
  confirm_method: string
  location: GeoPoint | null
  /** location_note: why there is no location, or what the cadre typed instead. */
  location_note: string
  /** signature: the labourer's signature as a PNG data URL ("data:image/png;base64,…"). */
  signature: string
}

export interface ContactAttempt {
  at: string // RFC 3339
  method: string // phone | visit | relatives
  note: string
}

export type SyncState = 'draft' | 'pending' | 'submitted' | 'conflict'

/** Conflict: the ledger changed since the draft was prefilled (409 ledger_changed). */
export interface Conflict {
  /** theirs: the ledger's values now. */
  theirs: FormValues
  /** server_version: the ledger's version now; the resubmission carries it as base_version. */
  server_version: number
  /** base_version: the version the draft was prefilled at. */
  base_version: number
}

/** SubmitResult: the stored form (201 created, 200 for a resend of the same key). */
export interface SubmitResult {
  id: string
  state: string
  state_label: string
}

export type TaskTab = 'due' | 'overdue' | 'unreachable' | 'self_reports' | 'new_returnees'

/** LabourerSummary: a labourer as lists show it (masked). */
export interface LabourerSummary {
  id: string
  name: string
  id_masked: string
  phone_masked: string
  village_code: string
  village_name: string
  record_status: string
  status_label: string
  category_label: string
  version: number
}

export interface Task {
  labourer: LabourerSummary
  state: string // due | submitted | confirmed | rejected | unreachable
  state_label: string
  overdue: boolean
  pending_reports: number
  new_return: boolean
  form_id: string | null
  reject_reason: string
}

export interface TaskList {
  month: string
  deadline: string
  counts: Record<string, number>
  items: Task[]
  total: number
  page: number
  page_size: number
}

export interface Household {
  id: string
  head_name: string
  village_code: string
  region_path: string
  address: string
  relocated: boolean
  zero_employment: boolean
  members: LabourerSummary[]
}

export interface ReviewItem {
  kind: 'form' | 'self_report' | string
  kind_label: string
  id: string
  labourer_id: string
  labourer_name: string
  village_code: string
  village_name: string
  at: string
  by: string
  verification: string
  awaiting_worker: boolean
  report_kind: string
  report_kind_label: string
}

export interface BatchResult {
  results: Array<{ kind: string; id: string; ok: boolean; error: { code: string; message: string } | null }>
  done: number
  failed: number
}

export interface FormView {
  id: string
  labourer_id: string
  village_name: string
  month: string
  state: string
  state_label: string
  verification: string
  verification_label: string
  visited_at: string
  location: { lat: number; lng: number; accuracy: number } | null
  confirm_method: string
  attempts: ContactAttempt[]
  submitted_at: string
  reject_reason: string
  form?: any
  images?: Array<{ id: string; kind: string; mime: string; size: number }>
}

export interface VillageCompletion {
  village_code: string
  village_name: string
  labourers: number
  confirmed: number
  submitted: number
  unreachable: number
  rate: number // percent
}

export interface CadreCompletion {
  account_id: string
  name: string
  submitted: number
  confirmed: number
  rejected: number
  unreachable: number
}

export interface Completion {
  month: string
  deadline: string
  villages: VillageCompletion[]
  cadres: CadreCompletion[]
}
