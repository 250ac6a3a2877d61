// On H5 there are no WeChat subscribe messages: the inbox (and SMS with consent) carries the
// notices, so asking is skipped. The weapp build uses subscribe.weapp.ts.

export async function prepareSubscribe(): Promise<void> {}

/** askSubscribe asks the worker to allow job notices; resolves false when nothing was asked. */
export async function askSubscribe(): Promise<boolean> {
  return false
}
