import { request } from './request'
import type { AdminAccount, NewAccount } from '../types/api'

export async function listAccounts(): Promise<AdminAccount[]> {
  const res = await request<{ items: AdminAccount[] }>('/api/v1/admin/accounts')
  return res.items || []
}

export function createAccount(body: NewAccount): Promise<AdminAccount> {
  return request<AdminAccount>('/api/v1/admin/accounts', { method: 'POST', data: body })
}
