import Taro from '@tarojs/taro'
import { reportSubscriptions, subscriptionTemplates } from './inbox'

/**
 * askSubscribe shows wx.requestSubscribeMessage for the job-notice templates the server
 * names, and reports the answer (accept / reject / ban / filter per template) so the server
 * counts the one-time quota. It must run inside a tap handler. Any failure is swallowed:
 * the inbox always gets the notice anyway.
 */
export async function askSubscribe(): Promise<boolean> {
  try {
    const templates = await subscriptionTemplates()
    const ids = templates.map((t) => t.template_id).filter(Boolean).slice(0, 3)
    if (!ids.length) return false
    const res: any = await Taro.requestSubscribeMessage({ tmplIds: ids } as any)
    const results: Record<string, unknown> = {}
    for (const id of ids) if (res && id in res) results[id] = res[id]
    if (Object.keys(results).length) await reportSubscriptions(results)
    return true
  } catch {
    return false
  }
}
