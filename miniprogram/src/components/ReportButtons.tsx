import { View } from '@tarojs/components'
import type { ReportKind } from '../types/api'
import { REPORT_BUTTONS } from '../utils/labels'
import BigButton from './BigButton'

interface Props {
  onPick: (kind: ReportKind) => void
  busy?: ReportKind | ''
}

/** ReportButtons are the five big "what is my situation now" buttons. */
export default function ReportButtons({ onPick, busy }: Props) {
  return (
    <View className='report-buttons'>
      {REPORT_BUTTONS.map((b) => (
        <BigButton
          key={b.kind}
          tone={b.tone}
          size='huge'
          icon={b.icon}
          testid={`report-${b.kind}`}
          loading={busy === b.kind}
          disabled={!!busy && busy !== b.kind}
          onClick={() => onPick(b.kind)}
        >
          {b.label}
        </BigButton>
      ))}
    </View>
  )
}
