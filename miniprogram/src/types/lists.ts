// Types of the six lists API (/api/v1/lists, seed 000 三 四).

export type ListCode = 'labour_base' | 'out_last_year' | 'out_this_year' | 'last_year_not_out' | 'willing' | 'returned'

export interface ListRegionRef {
  code: string
  name: string
  path: string
  level: number
  has_children: boolean
}

export interface ListContext {
  region: ListRegionRef
  year: number
  period_start: string
  period_end: string
  data_date: string
  source: string
}

export interface ListCount {
  code: ListCode
  name: string
  count: number
}

export interface ListHouseholds {
  zero_households: number
  zero_persons: number
  reduced_households: number
  reduced_last_persons: number
  reduced_this_persons: number
}

export interface ListsSummary extends ListContext {
  lists: ListCount[]
  re_exported: number
  last_year_not_out_planned: number
  households: ListHouseholds
}

export interface ListRegionRow {
  code: string
  name: string
  count: number
  has_children: boolean
  re_exported?: number
  planned?: number
}

export interface ListRegions extends ListContext {
  list: ListCount
  items: ListRegionRow[]
}

export interface ListPerson {
  id: string
  household_id: string
  name: string
  id_masked: string
  phone_masked: string
  village_code: string
  village_name: string
  last_year_months: number
  last_year_income: number
  this_year_months: number
  this_year_income: number
  at_work: boolean
  place_scope_label: string
  return_date: string | null
  re_exported: boolean
  willing: boolean
}

export interface ListPeople extends ListContext {
  list: ListCount
  items: ListPerson[]
  total: number
  page: number
  page_size: number
}
