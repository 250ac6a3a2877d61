import { afterEach, describe, expect, it, vi } from 'vitest'
import { cleanup, fireEvent, render, screen } from '@testing-library/react'
import {
  barAxis,
  changeWords,
  fmtInt,
  fmtPct,
  gapWords,
  latestReached,
  monthDay,
  niceMax,
  parseCount,
  progressPct,
  segments,
  targetTitle,
  trendBars,
  workYearOf
} from '../src/utils/dashboard'
import RegionBars from '../src/office/dashboard/components/RegionBars'
import TargetForm from '../src/office/dashboard/components/TargetForm'
import TargetList from '../src/office/dashboard/components/TargetList'
import TrendChart from '../src/office/dashboard/components/TrendChart'
import type { ProvinceTableRow, Target, Trend, TrendMonth } from '../src/types/reports'

afterEach(() => cleanup())

describe('formatting', () => {
  it('groups digits by thousands', () => {
    expect(fmtInt(0)).toBe('0')
    expect(fmtInt(999)).toBe('999')
    expect(fmtInt(1000)).toBe('1,000')
    expect(fmtInt(13037)).toBe('13,037')
    expect(fmtInt(1750000)).toBe('1,750,000')
    expect(fmtInt(-1234)).toBe('-1,234')
    expect(fmtInt(null)).toBe('—')
    expect(fmtInt(NaN)).toBe('—')
  })

  it('shows ratios as percentages', () => {
    expect(fmtPct(0.8)).toBe('80.0%')
    expect(fmtPct(1.0031)).toBe('100.3%')
    expect(fmtPct(0)).toBe('0.0%')
    expect(fmtPct(undefined)).toBe('—')
  })

  it('reads dates and work years', () => {
    expect(monthDay('2026-11-23')).toBe('11月23日')
    expect(monthDay(null)).toBe('')
    expect(workYearOf(new Date(2026, 9, 1))).toBe(2027) // 1 October opens the next work year
    expect(workYearOf(new Date(2026, 8, 30))).toBe(2026)
  })
})

const target = (t: Partial<Target>): Target => ({
  id: '1', region_code: '622926', region_name: '东乡族自治县', year: 2027, metric: 'total_out', metric_label: '外出务工总量',
  comparator: 'gt', comparator_label: '超过', value: 13037, note: '', current: 11803, met: false, gap: 1235, ratio: 0.9053,
  updated_at: '', ...t
})

describe('targets', () => {
  it('reads like seed 002 and says the gap in words', () => {
    expect(targetTitle(target({}))).toBe('外出务工总量超过 13,037 人')
    expect(gapWords(target({}))).toBe('还差 1,235 人')
    expect(gapWords(target({ met: true, gap: 0, current: 13038 }))).toBe('已完成')
    expect(gapWords(target({ met: true, gap: 0, current: 13100 }))).toBe('已完成，多 62 人')
    expect(gapWords(target({ comparator: 'ge', value: 6553, met: true, gap: 0, current: 6553 }))).toBe('已完成')
  })

  it('scales the progress bar to 0–100', () => {
    expect(progressPct(50, 200)).toBe(25)
    expect(progressPct(300, 200)).toBe(100)
    expect(progressPct(0, 200)).toBe(0)
    expect(progressPct(5, 0)).toBe(100)
    expect(progressPct(1, 3)).toBe(33.3)
  })

  it('draws each target with its gap, the region own first', () => {
    render(
      <TargetList
        region='622926'
        items={[target({ id: '2', region_code: '622926100', region_name: '锁南镇', value: 100, current: 120, met: true, gap: 0 }), target({})]}
      />
    )
    const list = screen.getByTestId('targets')
    expect(list.textContent!.indexOf('外出务工总量超过 13,037 人')).toBeLessThan(list.textContent!.indexOf('锁南镇'))
    expect(screen.getByTestId('target-gap-total_out-622926').textContent).toBe('还差 1,235 人')
    expect(screen.getByTestId('target-current-total_out-622926').textContent).toBe('11,803')
    expect(screen.getByTestId('target-gap-total_out-622926100').textContent).toBe('已完成，多 19 人')
  })

  it('says when there is none', () => {
    render(<TargetList region='622926' items={[]} />)
    expect(screen.getByTestId('targets-empty').textContent).toContain('还没有设定目标')
  })
})

describe('scales', () => {
  it('rounds the axis up to a round number', () => {
    expect(niceMax(0)).toBe(0)
    expect(niceMax(7)).toBe(10)
    expect(niceMax(10)).toBe(10)
    expect(niceMax(11)).toBe(20)
    expect(niceMax(2100)).toBe(2500)
    expect(niceMax(4999)).toBe(5000)
    expect(niceMax(70643)).toBe(100000)
    expect(niceMax(0.3)).toBeCloseTo(0.5)
  })

  it('splits a bar by place on the shared axis', () => {
    const s = segments({ out_province: 50, in_province: 25, in_county: 0 }, 200)
    expect(s.map((x) => [x.label, x.value, x.pct])).toEqual([
      ['省外', 50, 25],
      ['省内县外', 25, 12.5],
      ['县内', 0, 0]
    ])
    expect(barAxis([120, 80, 0])).toBe(200)
    expect(barAxis([])).toBe(0)
    expect(segments({ out_province: 1, in_province: 1, in_county: 1 }, 0).every((x) => x.pct === 0)).toBe(true)
  })
})

function months(this_: (number | null)[], last: number[]): TrendMonth[] {
  const names = ['10', '11', '12', '01', '02', '03', '04', '05', '06', '07', '08', '09']
  return names.map((mm, i) => {
    const y = i < 3 ? 2026 : 2027
    const v = this_[i]
    const reached = v !== null && v !== undefined
    const partial = reached && (i === 11 || this_[i + 1] === null || this_[i + 1] === undefined)
    return {
      month: `${y}-${mm}`, label: `${Number(mm)}月`, end: `${y}-${mm}-28`, reached, as_of: reached ? (partial ? `${y}-${mm}-23` : `${y}-${mm}-28`) : null,
      partial, this_year: reached ? { total: v as number, out_province: v as number, in_province: 0, in_county: 0 } : null,
      last_month: `${y - 1}-${mm}`, last_end: `${y - 1}-${mm}-28`, last_year: { total: last[i], out_province: last[i], in_province: 0, in_county: 0 }
    }
  })
}

describe('trend', () => {
  const ms = months([100, 160, null, null, null, null, null, null, null, null, null, null], [80, 150, 190, 200, 200, 210, 210, 205, 205, 200, 200, 198])

  it('puts both years on one axis and leaves months to come empty', () => {
    const { axisMax, bars } = trendBars(ms)
    expect(axisMax).toBe(250)
    expect(bars[0]).toMatchObject({ thisValue: 100, lastValue: 80, thisPct: 40, lastPct: 32, change: 20, partial: false })
    expect(bars[1]).toMatchObject({ thisValue: 160, partial: true, change: 10 })
    expect(bars[2]).toMatchObject({ thisValue: null, thisPct: 0, change: null, lastPct: 76 })
    expect(latestReached(ms)).toBe(1)
    expect(latestReached([])).toBe(-1)
  })

  it('compares in words', () => {
    expect(changeWords(10)).toBe('比去年同期多 10 人')
    expect(changeWords(-1234)).toBe('比去年同期少 1,234 人')
    expect(changeWords(0)).toBe('与去年同期持平')
    expect(changeWords(null)).toBe('')
  })

  it('shows the data date month and lets a month be picked', () => {
    const trend = { year: 2027, last_year: 2026, months: ms } as unknown as Trend
    render(<TrendChart trend={trend} />)
    expect(screen.getByTestId('trend-caption').textContent).toContain('截至11月23日')
    expect(screen.getByTestId('trend-sel-this').textContent).toBe('160')
    expect(screen.getByTestId('trend-sel-last').textContent).toBe('150')
    expect(screen.getByTestId('trend-this-2026-12').textContent).toBe('—')
    fireEvent.click(screen.getByTestId('trend-month-2026-10'))
    expect(screen.getByTestId('trend-sel-this').textContent).toBe('100')
    expect(screen.getByTestId('trend-caption').textContent).toContain('比去年同期多 20 人')
  })
})

describe('region bars', () => {
  const row = (code: string, name: string, o: number, p: number, c: number, kids = true): ProvinceTableRow => ({
    code, name, has_children: kids, last_year: 0, this_year: o + p + c, ratio: 0, out_province: o, in_province: p, in_county: c,
    point_to_point: 0, willing_not_out: 0
  })

  it('ranks the regions, shows their totals and drills down on a tap', () => {
    const onDrill = vi.fn()
    render(<RegionBars rows={[row('622901', '临夏市', 10, 5, 5), row('622921', '临夏县', 100, 20, 30), row('622999', '（未知地区）', 1, 0, 0, false)]} onDrill={onDrill} />)
    const bars = screen.getByTestId('region-bars')
    expect(bars.textContent!.indexOf('临夏县')).toBeLessThan(bars.textContent!.indexOf('临夏市'))
    expect(screen.getByTestId('bar-total-622921').textContent).toBe('150')
    expect((screen.getByTestId('bar-622921-out_province') as HTMLElement).style.width).toBe('50%') // axis 200
    fireEvent.click(screen.getByTestId('bar-622921'))
    expect(onDrill).toHaveBeenCalledWith('622921', '临夏县')
    fireEvent.click(screen.getByTestId('bar-622999'))
    expect(onDrill).toHaveBeenCalledTimes(1)
  })
})

describe('setting a target', () => {
  it('reads numbers typed by hand', () => {
    expect(parseCount('13037')).toBe(13037)
    expect(parseCount(' 13,037 ')).toBe(13037)
    expect(parseCount('１３０３７')).toBe(13037)
    expect(parseCount('')).toBeNull()
    expect(parseCount('-5')).toBeNull()
    expect(parseCount('12.5')).toBeNull()
    expect(parseCount('一万')).toBeNull()
  })

  it('asks for the number before sending anything', () => {
    const onSaved = vi.fn()
    render(<TargetForm region='622926' regionName='东乡族自治县' year={2027} onSaved={onSaved} />)
    expect(screen.getByTestId('target-form').textContent).toContain('为东乡族自治县设定2027年度目标')
    fireEvent.click(screen.getByTestId('target-save'))
    expect(screen.getByTestId('error-value').textContent).toContain('请填写目标人数')
    expect(onSaved).not.toHaveBeenCalled()
  })
})
