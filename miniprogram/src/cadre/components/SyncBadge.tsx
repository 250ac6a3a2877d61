import { Text } from '@tarojs/components'
import type { SyncState } from '../../types/verify'
import { SYNC_LABELS } from '../lib/drafts'

/** SyncBadge shows where a draft stands: 草稿 / 待上传 / 已提交 / 冲突. */
export default function SyncBadge({ state, testid }: { state: SyncState; testid?: string }) {
  return (
    <Text className={`tag sync sync-${state}`} data-testid={testid} data-sync={state}>
      {SYNC_LABELS[state] || state}
    </Text>
  )
}
