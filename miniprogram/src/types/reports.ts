// Types of the report API (/api/v1/reports): the region table (seed 000 附件), the province
// table (seed 001 附件), targets (seed 002 二) and the monthly trend. Every answer carries the
// lists' context (region, work year, data date, source).
import type { ListContext } from './lists'

export interface RegionFigures {
  last_year: number
  not_working: number
  zero_households: number
  zero_persons: number
  reduced_households: number
  reduced_last_persons: number
  reduced_this_persons: number
  planned: number
}

export interface RegionTableRow extends RegionFigures {
  code: string
  name: string
  has_children: boolean
}

export interface RegionTable extends ListContext {
  total: RegionFigures
  items: RegionTableRow[]
}

export interface ProvinceFigures {
  last_year: number
  this_year: number
  ratio: number
  out_province: number
  in_province: number
  in_county: number
  point_to_point: number
  willing_not_out: number
}

export interface ProvinceTableRow extends ProvinceFigures {
  code: string
  name: string
  has_children: boolean
}

export interface ProvinceTable extends ListContext {
  total: ProvinceFigures
  items: ProvinceTableRow[]
}

export type TargetMetric = 'total_out' | 'out_province' | 'in_province' | 'in_county'

export interface Target {
  id: string
  region_code: string
  region_name: string
  year: number
  metric: TargetMetric
  metric_label: string
  comparator: 'gt' | 'ge'
  comparator_label: string
  value: number
  note: string
  current: number
  met: boolean
  gap: number
  ratio: number
  updated_at: string
}

export interface Targets extends ListContext {
  items: Target[]
}

export interface TrendFigures {
  total: number
  out_province: number
  in_province: number
  in_county: number
}

export interface TrendMonth {
  month: string
  label: string
  end: string
  reached: boolean
  as_of: string | null
  partial: boolean
  this_year: TrendFigures | null
  last_month: string
  last_end: string
  last_year: TrendFigures
}

export interface Trend extends ListContext {
  last_year: number
  months: TrendMonth[]
}
