// Subsidy policies, claims, public notices and payment batches as the API sends them
// (docs/openapi-parts/subsidies.yaml, payments.yaml). Money is an integer number of 分 (*_fen).

export type SubsidyKind = 'transport' | 'job_seeking' | 'workshop'
export type PolicyMode = 'auto' | 'prepaid' | 'reviewed'
export type ClaimState =
  | 'submitted'
  | 'approved'
  | 'rejected'
  | 'in_notice'
  | 'notice_passed'
  | 'objected'
  | 'in_batch'
  | 'paid'
  | 'pay_failed'
  | 'advance_due'
  | 'prepaid'
  | 'settled'
  | 'recovery'
  | 'recovered'
  | 'lapsed'

export interface Policy {
  id: string
  province_code: string
  year: number
  kind: SubsidyKind
  kind_label: string
  name: string
  mode: PolicyMode
  mode_label: string
  by_destination: boolean
  amount_fen: number
  amount_in_province_fen: number
  amount_out_province_fen: number
  categories: string[]
  out_of_county: boolean
  months_required: number
  organised: boolean
  native_only: boolean
  window_from: string
  window_to: string
  settle_by: string | null
  documents: string[]
  active: boolean
  version: number
  updated_at: string
}

export interface Condition {
  code: string
  label: string
  met: boolean
  proven: boolean
  stage: 'decide' | 'settle'
  reason: string
}

export interface Claim {
  id: string
  labourer_id: string
  labourer_name: string
  policy_id: string
  policy_version: number
  year: number
  kind: SubsidyKind
  kind_label: string
  mode: PolicyMode
  mode_label: string
  county_code: string
  employer_id: string | null
  trip_from: string
  trip_from_name: string
  trip_to: string
  trip_to_name: string
  trip_date: string | null
  dest_scope: string
  dest_scope_label: string
  has_ticket: boolean
  amount_fen: number
  state: ClaimState
  state_label: string
  conditions: Condition[]
  failed_conditions: Condition[]
  reason: string
  settle_by: string | null
  decided_at: string | null
  settled_at: string | null
  version: number
  created_at: string
}

/** ClaimInput is what a worker sends: no amount — the server computes it. */
export interface ClaimInput {
  policy_id: string
  trip_from: string
  trip_to: string
  trip_date: string
  ticket_photo?: string
}

export interface Page<T> {
  items: T[]
  total: number
  page: number
  page_size: number
}

export interface Candidate {
  labourer_id: string
  name: string
  employer_id: string | null
  claim_id: string | null
  outcome: 'created' | 'existing' | 'not_eligible'
  amount_fen: number
  failed: Condition[]
}

/** Generated is what a list generation (job-seeking / workshop) did. */
export interface Generated {
  created: number
  existing: number
  not_eligible: number
  candidates: Candidate[]
}

/** SweepResult counts what a 定额预付 settlement check did. */
export interface SweepResult {
  checked: number
  settled: number
  recovery: number
  /** advances never paid, months reached by the deadline: approved, paid after 公示 (事后补助) */
  after_the_fact: number
  /** advances never paid, months not reached by the deadline: lapsed (已失效) */
  lapsed: number
}

export interface BankAccount {
  holder_name: string
  account_masked: string
  bank_name: string
  entered_role: string
  updated_at: string
  version: number
}

export interface BankInput {
  holder_name: string
  number: string
  bank_name: string
}

export interface Notice {
  id: string
  county_code: string
  county_name: string
  title: string
  published_at: string
  days: number
  ends_at: string
  state: 'open' | 'closed'
  state_label: string
  items: number
  total_fen: number
  open_objections: number
  version: number
}

export interface NoticeItem {
  id: string
  claim_id: string
  name: string
  village_code: string
  village_name: string
  kind: SubsidyKind
  kind_label: string
  amount_fen: number
  state: string
  state_label: string
}

export interface NoticeDetail extends Notice {
  list: NoticeItem[]
}

export interface Objection {
  id: string
  notice_id: string
  item_id: string
  claim_id: string
  lodged_role: string
  on_behalf_of: string
  text: string
  state: 'open' | 'resolved'
  state_label: string
  resolution: '' | 'upheld' | 'dismissed'
  resolution_label: string
  note: string
  created_at: string
  resolved_at: string | null
  version: number
}

export type BatchState = 'draft' | 'prepared' | 'approved' | 'exported' | 'reconciled' | 'cancelled'

export interface Batch {
  id: string
  county_code: string
  county_name: string
  title: string
  state: BatchState
  state_label: string
  created_by: string
  prepared_by: string | null
  prepared_at: string | null
  approved_by: string | null
  approved_at: string | null
  exported_at: string | null
  reconciled_at: string | null
  cancelled_at: string | null
  cancel_reason: string
  lines: number
  total_fen: number
  paid_lines: number
  paid_fen: number
  failed_lines: number
  failed_fen: number
  version: number
  created_at: string
}

export interface BatchCreated extends Batch {
  missing_account_claim_ids: string[]
}

export interface Reconciliation {
  lines: number
  total_fen: number
  pending_lines: number
  paid_lines: number
  paid_fen: number
  failed_lines: number
  failed_fen: number
  balanced: boolean
}

export interface BatchDetail extends Batch {
  reconciliation: Reconciliation
}

export interface BatchLine {
  id: string
  seq: number
  claim_id: string
  labourer_id: string
  payee_name: string
  account_masked: string
  bank_name: string
  amount_fen: number
  purpose: string
  state: 'pending' | 'paid' | 'failed' | 'cancelled'
  state_label: string
  failure_reason: string
  marked_at: string | null
  version: number
}
