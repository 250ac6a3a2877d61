import { afterEach, describe, expect, it, vi } from 'vitest'
import { cleanup, fireEvent, render, screen } from '@testing-library/react'
import ConflictView from '../src/cadre/components/ConflictView'
import { differences, merge } from '../src/cadre/lib/conflict'
import { emptyValues, setPath } from '../src/cadre/lib/rules'

afterEach(cleanup)

const mine = setPath(setPath(setPath(emptyValues(), 'working', true), 'employment.wage', '5000'), 'employment.employer_name', '昆山电子厂')
const theirs = setPath(setPath(setPath(emptyValues(), 'working', true), 'employment.wage', '5200'), 'employment.employer_name', '昆山电子厂')

describe('conflict', () => {
  it('lists only the fields that differ, with both values', () => {
    const d = differences(mine, theirs)
    expect(d).toEqual([{ path: 'employment.wage', label: '月平均工资', mine: '5000 元', theirs: '5200 元' }])
  })

  it('merges the picks', () => {
    expect(merge(mine, theirs, { 'employment.wage': 'theirs' }).employment.wage).toBe('5200')
    expect(merge(mine, theirs, { 'employment.wage': 'mine' }).employment.wage).toBe('5000')
  })

  it('carries the place code with the place name', () => {
    const a = setPath(setPath(mine, 'employment.place_code', '440306'), 'employment.place_name', '宝安区')
    const b = setPath(setPath(theirs, 'employment.place_code', '320583'), 'employment.place_name', '昆山市')
    const m = merge(a, b, { 'employment.place_name': 'theirs' })
    expect(m.employment.place_code).toBe('320583')
  })

  it('shows both versions side by side and resubmits what the cadre picked', () => {
    const onResolve = vi.fn()
    render(<ConflictView mine={mine} theirs={theirs} onResolve={onResolve} />)
    expect(screen.getByTestId('conflict-mine-employment.wage').textContent).toBe('5000 元')
    expect(screen.getByTestId('conflict-theirs-employment.wage').textContent).toBe('5200 元')
    fireEvent.click(screen.getByTestId('conflict-theirs-employment.wage'))
    fireEvent.click(screen.getByTestId('conflict-resubmit'))
    expect(onResolve).toHaveBeenCalledTimes(1)
    expect(onResolve.mock.calls[0][0].employment.wage).toBe('5200')
  })

  it('keeps the draft by default', () => {
    const onResolve = vi.fn()
    render(<ConflictView mine={mine} theirs={theirs} onResolve={onResolve} />)
    fireEvent.click(screen.getByTestId('conflict-resubmit'))
    expect(onResolve.mock.calls[0][0].employment.wage).toBe('5000')
  })
})
