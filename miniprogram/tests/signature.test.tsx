import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { cleanup, fireEvent, render, screen } from '@testing-library/react'
import SignaturePad from '../src/cadre/components/SignaturePad'

// jsdom has no canvas: a 2D context that records the drawing, and a PNG encoder stand-in
// that encodes what was drawn (an empty pad stays distinguishable from a signed one).
const PNG_HEAD = 'iVBORw0KGgo'
let ops: string[] = []

beforeEach(() => {
  ops = []
  const ctx: any = new Proxy(
    {},
    {
      get: (_t, prop) => {
        if (prop === 'canvas') return undefined
        return (...args: unknown[]) => {
          ops.push(`${String(prop)}(${args.map((a) => (typeof a === 'number' ? Math.round(a) : a)).join(',')})`)
        }
      },
      set: () => true
    }
  )
  vi.spyOn(HTMLCanvasElement.prototype, 'getContext').mockImplementation(() => ctx)
  vi.spyOn(HTMLCanvasElement.prototype, 'toDataURL').mockImplementation(function (this: HTMLCanvasElement, type?: string) {
    return `data:${type || 'image/png'};base64,${PNG_HEAD}${btoa(ops.join(';')).slice(0, 40)}`
  })
  vi.spyOn(HTMLCanvasElement.prototype, 'getBoundingClientRect').mockReturnValue({ left: 0, top: 0, width: 320, height: 200, right: 320, bottom: 200, x: 0, y: 0, toJSON() {} } as DOMRect)
})

afterEach(() => {
  cleanup()
  vi.restoreAllMocks()
})

describe('SignaturePad', () => {
  it('draws strokes with pointer events and hands back a PNG data URL', () => {
    const onChange = vi.fn()
    render(<SignaturePad value='' onChange={onChange} testid='signature' />)
    const canvas = screen.getByTestId('signature-canvas')
    fireEvent.pointerDown(canvas, { clientX: 10, clientY: 20, pointerId: 1 })
    fireEvent.pointerMove(canvas, { clientX: 60, clientY: 80, pointerId: 1 })
    fireEvent.pointerMove(canvas, { clientX: 120, clientY: 40, pointerId: 1 })
    fireEvent.pointerUp(canvas, { clientX: 120, clientY: 40, pointerId: 1 })
    expect(onChange).toHaveBeenCalledTimes(1)
    const url: string = onChange.mock.calls[0][0]
    expect(url.startsWith('data:image/png;base64,iVBORw0KGgo')).toBe(true)
    expect(ops.some((o) => o.startsWith('lineTo('))).toBe(true)
    expect(ops.some((o) => o.startsWith('stroke('))).toBe(true)
  })

  it('moving without pressing draws nothing', () => {
    const onChange = vi.fn()
    render(<SignaturePad value='' onChange={onChange} testid='signature' />)
    const canvas = screen.getByTestId('signature-canvas')
    fireEvent.pointerMove(canvas, { clientX: 60, clientY: 80 })
    fireEvent.pointerUp(canvas, { clientX: 60, clientY: 80 })
    expect(onChange).not.toHaveBeenCalled()
  })

  it('清除 empties the signature', () => {
    const onChange = vi.fn()
    render(<SignaturePad value='' onChange={onChange} testid='signature' />)
    fireEvent.click(screen.getByTestId('signature-clear'))
    expect(onChange).toHaveBeenCalledWith('')
  })

  it('shows a saved signature and lets the person sign again', () => {
    const onChange = vi.fn()
    render(<SignaturePad value='data:image/png;base64,iVBORw0KGgoAAA' onChange={onChange} testid='signature' />)
    expect(screen.getByTestId('signature-image').getAttribute('src')).toContain('data:image/png')
    fireEvent.click(screen.getByTestId('signature-redo'))
    expect(screen.getByTestId('signature-canvas')).toBeTruthy()
  })
})
