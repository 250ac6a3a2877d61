import { Image, View } from '@tarojs/components'
import { createElement, useEffect, useRef, useState } from 'react'

interface Props {
  /** value: the saved signature as a PNG data URL, or ''. */
  value: string
  onChange: (dataUrl: string) => void
  testid?: string
}

const HEIGHT = 200 // CSS pixels

/**
 * SignaturePad (H5): a <canvas> drawn with pointer events (mouse, pen and finger alike). Each
 * finished stroke saves the picture as a PNG data URL, so the draft keeps it at once. See
 * SignaturePad.weapp.tsx for WeChat.
 */
export default function SignaturePad(props: Props) {
  const canvasRef = useRef<HTMLCanvasElement | null>(null)
  const drawing = useRef(false)
  const last = useRef<{ x: number; y: number } | null>(null)
  const [redraw, setRedraw] = useState(!props.value)

  const ctx = (): CanvasRenderingContext2D | null => {
    const c = canvasRef.current
    return c ? c.getContext('2d') : null
  }

  const blank = () => {
    const c = canvasRef.current
    const g = ctx()
    if (!c || !g) return
    g.setTransform(1, 0, 0, 1, 0, 0)
    g.fillStyle = '#ffffff'
    g.fillRect(0, 0, c.width, c.height)
  }

  useEffect(() => {
    if (!redraw) return
    const c = canvasRef.current
    if (!c) return
    const ratio = (typeof window !== 'undefined' && window.devicePixelRatio) || 1
    const width = c.clientWidth || 320
    c.width = Math.round(width * ratio)
    c.height = Math.round(HEIGHT * ratio)
    blank()
  }, [redraw])

  const point = (e: any) => {
    const c = canvasRef.current!
    const r = c.getBoundingClientRect()
    const sx = r.width ? c.width / r.width : 1
    const sy = r.height ? c.height / r.height : 1
    return { x: ((e.clientX || 0) - r.left) * sx, y: ((e.clientY || 0) - r.top) * sy }
  }

  const down = (e: any) => {
    if (e.preventDefault) e.preventDefault()
    const c = canvasRef.current
    if (c && c.setPointerCapture && e.pointerId !== undefined) {
      try {
        c.setPointerCapture(e.pointerId)
      } catch {
        // Synthetic events have no active pointer to capture.
      }
    }
    drawing.current = true
    last.current = point(e)
    const g = ctx()
    if (g) {
      // A dot for a tap.
      g.fillStyle = '#111111'
      g.beginPath()
      g.arc(last.current.x, last.current.y, 2.5 * ((window && window.devicePixelRatio) || 1), 0, Math.PI * 2)
      g.fill()
    }
  }

  const move = (e: any) => {
    if (!drawing.current) return
    if (e.preventDefault) e.preventDefault()
    const g = ctx()
    const p = point(e)
    if (g && last.current) {
      g.strokeStyle = '#111111'
      g.lineWidth = 5 * ((window && window.devicePixelRatio) || 1)
      g.lineCap = 'round'
      g.lineJoin = 'round'
      g.beginPath()
      g.moveTo(last.current.x, last.current.y)
      g.lineTo(p.x, p.y)
      g.stroke()
    }
    last.current = p
  }

  const up = () => {
    if (!drawing.current) return
    drawing.current = false
    last.current = null
    const c = canvasRef.current
    if (c) props.onChange(c.toDataURL('image/png'))
  }

  if (props.value && !redraw) {
    return (
      <View className='sig-box' data-testid={props.testid}>
        <Image className='sig-image' src={props.value} mode='aspectFit' data-testid={props.testid ? `${props.testid}-image` : undefined} />
        <View className='sig-actions'>
          <View className='link' onClick={() => setRedraw(true)} data-testid={props.testid ? `${props.testid}-redo` : undefined}>
            重新签字
          </View>
        </View>
      </View>
    )
  }

  return (
    <View className='sig-box' data-testid={props.testid}>
      {createElement('canvas', {
        ref: canvasRef,
        className: 'sig-canvas',
        style: { width: '100%', height: `${HEIGHT}px`, touchAction: 'none', display: 'block' },
        'data-testid': props.testid ? `${props.testid}-canvas` : undefined,
        onPointerDown: down,
        onPointerMove: move,
        onPointerUp: up,
        onPointerLeave: up,
        onPointerCancel: up
      })}
      <View className='sig-actions'>
        <View className='muted'>请本人用手指在框里签名</View>
        <View
          className='link'
          onClick={() => {
            blank()
            props.onChange('')
          }}
          data-testid={props.testid ? `${props.testid}-clear` : undefined}
        >
          清除
        </View>
      </View>
    </View>
  )
}
