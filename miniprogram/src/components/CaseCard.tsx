import { Text, View } from '@tarojs/components'
import type { ReturnCase } from '../types/jobs'
import { caseStage } from '../utils/countdown'
import { showDate } from '../utils/date'
import { wageText } from '../utils/jobs'
import { ReasonTags } from './JobCard'

export type CaseTap = 'called' | 'visited' | 'delivered' | 'decline'

interface Props {
  c: ReturnCase
  now: number
  busy?: string
  /** done lists the one-tap actions recorded in this session (shown ticked). */
  done?: string[]
  onAct?: (c: ReturnCase, kind: CaseTap) => void
  /** maxRecs: how many recommended jobs to list. */
  maxRecs?: number
}

const ACTIONS: { kind: CaseTap; label: string }[] = [
  { kind: 'called', label: '📞 已电话联系' },
  { kind: 'visited', label: '🏠 已上门送岗' },
  { kind: 'delivered', label: '📨 已推送岗位' },
  { kind: 'decline', label: '不需要' }
]

/** CaseCard is one returnee on the 72-hour board: the live countdown coloured by stage, jobs, actions. */
export default function CaseCard({ c, now, busy, done = [], onAct, maxRecs = 3 }: Props) {
  const closed = c.status !== 'open'
  const st = caseStage(c.opened_at, now, { dueAt: c.due_at, overdue: c.overdue, closed })
  const recs = (c.recommendations || []).slice(0, maxRecs)
  return (
    <View className={`case-card stage-${st.stage}`} data-testid='case-card' data-case-id={c.id} data-stage={st.stage}>
      <View className='row-head'>
        <View className='big-name' data-testid='case-name'>
          {c.labourer_name}
        </View>
        <View>
          {closed ? (
            <Text className={`tag ${c.status === 'placed' ? 'tag-ok' : ''}`} data-testid='case-status'>
              {c.status_label}
              {c.close_reason_label && c.close_reason_label !== c.status_label ? `·${c.close_reason_label}` : ''}
            </Text>
          ) : (
            <Text className={`stage-pill stage-pill-${st.stage}`} data-testid='case-stage'>
              {st.label}
            </Text>
          )}
        </View>
      </View>
      <View className='muted'>
        {c.village_name} · {c.phone_masked}
      </View>
      {closed ? (
        <View className='muted' data-testid='case-closed'>
          {showDate(c.closed_at)} 结束
          {c.status === 'placed' ? (c.placed_within_72h ? '，72小时内上岗 ✓' : '，超过72小时上岗') : ''}
          {c.close_note ? `（${c.close_note}）` : ''}
        </View>
      ) : (
        <View>
          <View className={`countdown countdown-${st.stage}`} data-testid='case-countdown'>
            {st.text}
          </View>
          <View className='muted'>从 {showDate(c.opened_at)} 开始跟踪</View>
          {c.visit_required ? (
            <View className='field-error' data-testid='case-visit-required'>
              已过48小时，请上门送岗并记录
            </View>
          ) : null}
          {c.escalated ? <View className='field-error'>已上报县专班</View> : null}
        </View>
      )}
      {recs.length ? (
        <View data-testid='case-recs'>
          <View className='muted'>推荐岗位：</View>
          {recs.map((r) => (
            <View key={r.job_id} className='rec-line'>
              <View>
                <Text className='lead'>{r.title}</Text>
                <Text className='muted'> {wageText(r.wage_min, r.wage_max)}</Text>
                {r.pushed ? <Text className='tag tag-ok'>已推送</Text> : null}
              </View>
              <View className='muted'>{r.place_name}</View>
              <ReasonTags reasons={r.reasons} />
            </View>
          ))}
        </View>
      ) : !closed ? (
        <View className='muted'>暂时没有匹配的岗位，24小时会扩大范围重新匹配。</View>
      ) : null}
      {!closed && onAct ? (
        <View className='action-grid'>
          {ACTIONS.map((a) => {
            const isDone = done.indexOf(a.kind) >= 0
            const disabled = busy === a.kind || (a.kind === 'delivered' && !(c.recommendations || []).length)
            return (
              <View
                key={a.kind}
                className={`action-btn ${isDone ? 'action-btn-done' : ''} ${a.kind === 'decline' ? 'action-btn-grey' : ''} ${disabled ? 'bb-disabled' : ''}`}
                data-testid={`case-act-${a.kind}`}
                onClick={() => {
                  if (!disabled) onAct(c, a.kind)
                }}
              >
                {busy === a.kind ? '请稍候…' : isDone ? `✓ ${a.label.replace(/^\S+\s/, '')}` : a.label}
              </View>
            )
          })}
        </View>
      ) : null}
    </View>
  )
}
