import './subsidy.css'
import { Text } from '@tarojs/components'
import { claimStatusLabel, claimTone } from '../../utils/subsidies'

interface Props {
  state: string
  label?: string
  /** worker: the worker's seven words; otherwise the server's label. */
  worker?: boolean
  testid?: string
}

/** ClaimTag is a claim's coloured status word. */
export default function ClaimTag(props: Props) {
  const text = props.worker ? claimStatusLabel(props.state, props.label) : props.label || claimStatusLabel(props.state)
  return (
    <Text className={`claim-tag claim-tag-${claimTone(props.state)}`} data-testid={props.testid} data-state={props.state}>
      {text}
    </Text>
  )
}
