import Taro from '@tarojs/taro'
import { reportSubscriptions, subscriptionTemplates } from './inbox'

let templateIds: string[] = []

/** prepareSubscribe loads the job-notice template ids ahead of the tap (call on page load). */
export async function prepareSubscribe(): Promise<void> {
  try {
    const templates = await subscriptionTemplates()
    templateIds = templates.map((t) => t.template_id).filter(Boolean).slice(0, 3)
  } catch {
    templateIds = []
  }
}

/**
 * askSubscribe shows wx.requestSubscribeMessage for the templates prepareSubscribe loaded —
 * first thing in the tap handler, as WeChat requires a tap — and reports the answer (accept /
 * reject / ban / filter per template) so the server counts the one-time quota. Failures are
 * swallowed: the inbox always gets the notice anyway.
 */
export async function askSubscribe(): Promise<boolean> {
  if (!templateIds.length) return false
  try {
    const res: any = await Taro.requestSubscribeMessage({ tmplIds: templateIds } as any)
    const results: Record<string, unknown> = {}
    for (const id of templateIds) if (res && id in res) results[id] = res[id]
    if (Object.keys(results).length) await reportSubscriptions(results)
    return true
  } catch {
    return false
  }
}
