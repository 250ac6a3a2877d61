import { query, request } from './request'
import type { InboxPage, Message, SMSConsent, SubscriptionTemplate } from '../types/jobs'

export function inbox(page = 1): Promise<InboxPage> {
  return request<InboxPage>(`/api/v1/me/inbox${query({ page, page_size: 50 })}`)
}

/** unreadCount is the number on the 消息 badge (0 when the inbox cannot be read). */
export async function unreadCount(): Promise<number> {
  try {
    const p = await request<InboxPage>(`/api/v1/me/inbox${query({ page: 1, page_size: 1 })}`)
    return (p && p.unread) || 0
  } catch {
    return 0
  }
}

export function markRead(id: string): Promise<Message> {
  return request<Message>(`/api/v1/me/inbox/${encodeURIComponent(id)}/read`, { method: 'POST' })
}

export function smsConsent(): Promise<SMSConsent> {
  return request<SMSConsent>('/api/v1/me/sms-consent')
}

export function setSMSConsent(consented: boolean): Promise<SMSConsent> {
  return request<SMSConsent>('/api/v1/me/sms-consent', { method: 'PUT', data: { consented } })
}

export async function subscriptionTemplates(): Promise<SubscriptionTemplate[]> {
  const res = await request<{ templates: SubscriptionTemplate[] }>('/api/v1/me/subscriptions')
  return (res && res.templates) || []
}

/** reportSubscriptions sends wx.requestSubscribeMessage's answer (template id → accept/reject/…). */
export async function reportSubscriptions(results: Record<string, unknown>): Promise<SubscriptionTemplate[]> {
  const res = await request<{ templates: SubscriptionTemplate[] }>('/api/v1/me/subscriptions', {
    method: 'POST',
    data: { results }
  })
  return (res && res.templates) || []
}
