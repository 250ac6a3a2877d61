import Taro from '@tarojs/taro'
import { Canvas, Image, View } from '@tarojs/components'
import { useEffect, useRef, useState } from 'react'

interface Props {
  value: string
  onChange: (dataUrl: string) => void
  testid?: string
}

/**
 * SignaturePad (weapp): a Taro <Canvas type="2d"> drawn with touch events. Each finished
 * stroke saves the picture as a PNG data URL (canvas.toDataURL, or the temp file read as
 * base64 on older base libraries). See SignaturePad.tsx for H5.
 */
export default function SignaturePad(props: Props) {
  const [redraw, setRedraw] = useState(!props.value)
  const canvas = useRef<any>(null)
  const last = useRef<{ x: number; y: number } | null>(null)
  const idRef = useRef(`sig${Math.floor(Math.random() * 1e8)}`)

  useEffect(() => {
    if (!redraw) return
    const timer = setTimeout(() => {
      Taro.createSelectorQuery()
        .select(`#${idRef.current}`)
        .fields({ node: true, size: true } as any)
        .exec((res: any[]) => {
          const r = res && res[0]
          if (!r || !r.node) return
          const ratio = Taro.getSystemInfoSync().pixelRatio || 2
          r.node.width = r.width * ratio
          r.node.height = r.height * ratio
          const g = r.node.getContext('2d')
          g.scale(ratio, ratio)
          g.fillStyle = '#ffffff'
          g.fillRect(0, 0, r.width, r.height)
          canvas.current = r.node
        })
    }, 50)
    return () => clearTimeout(timer)
  }, [redraw])

  const g = () => (canvas.current ? canvas.current.getContext('2d') : null)

  const save = async () => {
    const c = canvas.current
    if (!c) return
    try {
      if (typeof c.toDataURL === 'function') {
        props.onChange(c.toDataURL('image/png'))
        return
      }
    } catch {
      // fall through to the temp file
    }
    const { tempFilePath } = await Taro.canvasToTempFilePath({ canvas: c, fileType: 'png' } as any)
    Taro.getFileSystemManager().readFile({
      filePath: tempFilePath,
      encoding: 'base64',
      success: (r) => props.onChange(`data:image/png;base64,${r.data}`)
    })
  }

  if (props.value && !redraw) {
    return (
      <View className='sig-box'>
        <Image className='sig-image' src={props.value} mode='aspectFit' />
        <View className='link' onClick={() => setRedraw(true)}>
          重新签字
        </View>
      </View>
    )
  }

  return (
    <View className='sig-box'>
      <Canvas
        type='2d'
        id={idRef.current}
        className='sig-canvas'
        disableScroll
        onTouchStart={(e: any) => {
          const t = e.touches[0]
          last.current = { x: t.x, y: t.y }
        }}
        onTouchMove={(e: any) => {
          const t = e.touches[0]
          const ctx = g()
          if (ctx && last.current) {
            ctx.strokeStyle = '#111111'
            ctx.lineWidth = 3
            ctx.lineCap = 'round'
            ctx.beginPath()
            ctx.moveTo(last.current.x, last.current.y)
            ctx.lineTo(t.x, t.y)
            ctx.stroke()
          }
          last.current = { x: t.x, y: t.y }
        }}
        onTouchEnd={() => {
          last.current = null
          save()
        }}
      />
      <View className='sig-actions'>
        <View className='muted'>请本人用手指在框里签名</View>
        <View
          className='link'
          onClick={() => {
            const c = canvas.current
            const ctx = g()
            if (c && ctx) {
              ctx.fillStyle = '#ffffff'
              ctx.fillRect(0, 0, c.width, c.height)
            }
            props.onChange('')
          }}
        >
          清除
        </View>
      </View>
    </View>
  )
}
