// Types mirroring the issue 4 API: employers, jobs, applications, hires (api/jobs.go),
// the 72-hour case board and the worker's recommended jobs (api/cases.go), and the worker's
// inbox, SMS consent and WeChat subscriptions (api/inbox.go). IDs are strings.

/** MatchReason is one factor of a recommendation, with its Chinese label (同县, 工种相符…). */
export interface MatchReason {
  code: string
  label: string
  points: number
}

export type EmployerKind = 'enterprise' | 'workshop' | 'base' | 'public_welfare' | 'agency' | string
export type EmployerStatus = 'pending' | 'verified' | 'rejected' | string

export interface Employer {
  id: string
  credit_code: string
  name: string
  kind: EmployerKind
  kind_label: string
  region_code: string
  region_name: string
  address: string
  contact_name: string
  phone_masked: string
  status: EmployerStatus
  status_label: string
  reject_reason: string
  created_at: string
  reviewed_at: string | null
}

export interface EmployerInput {
  credit_code: string
  name: string
  kind: string
  region_code: string
  address: string
  contact_name: string
  phone: string
}

export type JobStatus = 'pending' | 'open' | 'rejected' | 'closed' | string

export interface Job {
  id: string
  employer_id: string
  employer_name: string
  employer_kind: string
  employer_kind_label: string
  title: string
  industry: string
  industry_label: string
  industry_other: string
  headcount: number
  filled: number
  remaining: number
  wage_min: number
  wage_max: number
  place_code: string
  place_name: string
  min_age: number
  max_age: number
  capacities: string[]
  capacity_labels: string[]
  min_skill: string
  min_skill_label: string
  housing: boolean
  meals: boolean
  transport: boolean
  description: string
  valid_until: string
  status: JobStatus
  status_label: string
  reject_reason: string
  close_reason: string
  close_reason_label: string
  created_at: string
}

export interface JobInput {
  title: string
  industry: string
  industry_other: string
  headcount: number | null
  wage_min: number | null
  wage_max: number | null
  place_code: string
  min_age: number | null
  max_age: number | null
  capacities: string[]
  min_skill: string
  housing: boolean
  meals: boolean
  transport: boolean
  description: string
  valid_until: string
}

/** RecommendedJob is one item of the worker's feed (GET /me/jobs/recommended). */
export interface RecommendedJob {
  job_id: string
  title: string
  industry: string
  industry_label: string
  place_code: string
  place_name: string
  wage_min: number
  wage_max: number
  housing: boolean
  meals: boolean
  transport: boolean
  valid_until: string
  score: number
  reasons: MatchReason[]
  pushed: boolean
}

export interface Hire {
  id: string
  job_id: string
  application_id: string
  labourer_id: string
  spell_id: string
  hired_at: string
  monthly_wage: number
  left_at: string | null
  leave_reason: string
}

export type ApplicationKind = 'interest' | 'apply' | string
export type ApplicationStatus = 'submitted' | 'invited' | 'hired' | 'left' | 'withdrawn' | 'declined' | string

export interface Application {
  id: string
  job_id: string
  kind: ApplicationKind
  kind_label: string
  status: ApplicationStatus
  status_label: string
  note: string
  created_at: string
  invited_at: string | null
  hire: Hire | null
}

export interface MyApplication extends Application {
  job: Job
}

/** Candidate is an applicant as the employer sees them: personal data masked. */
export interface Candidate {
  application_id: string
  labourer_id: string
  kind: ApplicationKind
  kind_label: string
  status: ApplicationStatus
  status_label: string
  note: string
  applied_at: string
  name: string
  phone_masked: string
  age: number
  labour_capacity: string
  labour_capacity_label: string
  skill_level: string
  skill_level_label: string
  village_code: string
  village_name: string
  current_status_label: string
  hire: Hire | null
}

export interface HireInput {
  labourer_id: string
  hired_at: string
  monthly_wage?: number
  contract: boolean
  social_insurance: boolean
}

export interface HireResult {
  hire: Hire
  spell: { id: string; start_date: string; employer_name: string; place_name: string; monthly_wage: number; assisted: boolean }
  job: Job
}

export interface Paged<T> {
  items: T[]
  total: number
  page: number
  page_size: number
}

// ---- 72-hour cases ----

export type CaseStatus = 'open' | 'placed' | 'declined' | string

export interface CaseRec {
  job_id: string
  title: string
  industry: string
  industry_label: string
  place_code: string
  place_name: string
  wage_min: number
  wage_max: number
  job_status: string
  score: number
  reasons: MatchReason[]
  pushed: boolean
  round: number
}

export interface CaseAction {
  id: string
  kind: string
  kind_label: string
  note: string
  job_ids: string[]
  actor_role: string
  at: string
}

export interface ReturnCase {
  id: string
  labourer_id: string
  labourer_name: string
  phone_masked: string
  village_code: string
  village_name: string
  status: CaseStatus
  status_label: string
  opened_at: string
  due_at: string
  countdown_seconds: number
  checkpoint: number
  next_checkpoint: number
  next_check_at: string | null
  visit_required: boolean
  visited_at: string | null
  overdue: boolean
  escalated: boolean
  closed_at: string | null
  close_reason: string
  close_reason_label: string
  close_note: string
  placed_job_id: string | null
  placed_within_72h: boolean
  recommendations: CaseRec[]
  actions?: CaseAction[]
}

export type CaseActionKind = 'called' | 'visited' | 'delivered' | 'notes'

export interface CaseKPI {
  region: string
  region_name: string
  from: string
  to: string
  opened: number
  open: number
  placed: number
  placed_within_72h: number
  placed_within_72h_rate: number | null
  declined: number
  overdue: number
  escalated: number
  willing_open: number
  median_hours_to_placement: number | null
}

// ---- inbox ----

export interface Message {
  id: string
  kind: string
  kind_label: string
  title: string
  body: string
  link: string
  read: boolean
  read_at: string | null
  created_at: string
}

export interface InboxPage {
  items: Message[]
  total: number
  unread: number
  page: number
  page_size: number
}

export interface SMSConsent {
  consented: boolean
  at: string | null
  source: string
  has_phone: boolean
}

export interface SubscriptionTemplate {
  kind: string
  kind_label: string
  template_id: string
  remaining: number
}
