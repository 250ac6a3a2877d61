import { Text, View } from '@tarojs/components'
import type { MatchReason } from '../types/jobs'
import { perkLabels, shortPlace, wageText } from '../utils/jobs'

export interface JobCardItem {
  job_id: string
  title: string
  industry_label?: string
  place_name: string
  wage_min: number
  wage_max: number
  housing?: boolean
  meals?: boolean
  transport?: boolean
  reasons?: MatchReason[]
}

interface Props {
  job: JobCardItem
  /** applied shows the worker's application state (e.g. 已报名) on the card. */
  applied?: string
  onOpen?: (id: string) => void
}

/** ReasonTags shows why a job was recommended, one green tag per reason (同县, 工种相符…). */
export function ReasonTags({ reasons }: { reasons?: MatchReason[] }) {
  if (!reasons || !reasons.length) return null
  return (
    <View className='reason-tags' data-testid='job-reasons'>
      {reasons.map((r) => (
        <Text key={r.code} className='reason-tag' data-testid={`reason-${r.code}`}>
          {r.label}
        </Text>
      ))}
    </View>
  )
}

/** JobCard is one job in the worker's feed: title, wage in big type, place, perks and reasons. */
export default function JobCard({ job, applied, onOpen }: Props) {
  const perks = perkLabels(job)
  return (
    <View className='job-card' data-testid='job-card' data-job-id={job.job_id} onClick={() => onOpen && onOpen(job.job_id)}>
      <View className='job-card-head'>
        <Text className='job-title' data-testid='job-title'>
          {job.title}
        </Text>
        {applied ? (
          <Text className='tag tag-ok' data-testid='job-applied'>
            {applied}
          </Text>
        ) : null}
      </View>
      <View className='job-wage'>{wageText(job.wage_min, job.wage_max)}</View>
      <View className='job-place'>
        📍 {shortPlace(job.place_name)}
        {job.industry_label ? ` · ${job.industry_label}` : ''}
      </View>
      {perks.length ? (
        <View className='perk-tags'>
          {perks.map((p) => (
            <Text key={p} className='perk-tag'>
              {p}
            </Text>
          ))}
        </View>
      ) : null}
      <ReasonTags reasons={job.reasons} />
    </View>
  )
}
