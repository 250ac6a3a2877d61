// Sends drafts that are waiting for the network (待上传): at once, every 20 seconds while a
// cadre page is open, and as soon as the phone says the network is back. Each send reuses the
// draft's idempotency key, so a form that did reach the server is not made twice.
import Taro from '@tarojs/taro'
import { conflictFrom, submitForm } from '../../services/verify'
import { pendingDrafts, submitDraft, type Draft } from './drafts'

type Listener = (d: Draft) => void

const listeners = new Set<Listener>()
let timer: ReturnType<typeof setInterval> | null = null
let running = false
const INTERVAL_MS = 20000

/** syncPending tries every waiting draft once; it stops at the first that still cannot go. */
export async function syncPending(): Promise<Draft[]> {
  if (running) return []
  running = true
  const out: Draft[] = []
  try {
    for (const d of pendingDrafts()) {
      const r = await submitDraft(d.labourer_id, submitForm, (e, cur) => conflictFrom(e, cur.base_version))
      out.push(r)
      listeners.forEach((fn) => fn(r))
      if (r.sync === 'pending') break
    }
  } finally {
    running = false
  }
  return out
}

function onOnline() {
  syncPending()
}

function onNetwork(res: { isConnected: boolean }) {
  if (res && res.isConnected) syncPending()
}

/** startSyncLoop keeps trying while a listener is registered; it returns the unsubscribe. */
export function startSyncLoop(fn: Listener): () => void {
  listeners.add(fn)
  if (!timer) {
    timer = setInterval(syncPending, INTERVAL_MS)
    if (process.env.TARO_ENV === 'h5' && typeof window !== 'undefined') window.addEventListener('online', onOnline)
    else if (typeof (Taro as any).onNetworkStatusChange === 'function') (Taro as any).onNetworkStatusChange(onNetwork)
  }
  syncPending()
  return () => {
    listeners.delete(fn)
    if (listeners.size === 0 && timer) {
      clearInterval(timer)
      timer = null
      if (process.env.TARO_ENV === 'h5' && typeof window !== 'undefined') window.removeEventListener('online', onOnline)
      else if (typeof (Taro as any).offNetworkStatusChange === 'function') (Taro as any).offNetworkStatusChange(onNetwork)
    }
  }
}
