import { beforeEach, describe, expect, it, vi } from 'vitest'
import { resetStorage } from './stubs/taro'
import { createDraft, editDraft, getDraft, listDrafts, resolveConflict, submitDraft } from '../src/cadre/lib/drafts'
import { emptyValues, setPath } from '../src/cadre/lib/rules'
import { ApiError } from '../src/services/request'
import { conflictFrom, fromServer, toServer } from '../src/services/verify'

const person = { labourer_id: '42', name: '马小军', id_masked: '6229**', phone_masked: '139****', region_path: '某村', ethnicity: '东乡族' }
const offline = () => new ApiError(0, 'network_error', '网络不通，请检查网络后再试')

beforeEach(() => resetStorage())

describe('draft store', () => {
  it('saves on every change and restores after a restart', () => {
    createDraft(person, emptyValues(), 3)
    editDraft('42', { values: setPath(emptyValues(), 'working', false) })
    const d = getDraft('42')!
    expect(d.values.working).toBe(false)
    expect(d.sync).toBe('draft')
    expect(d.base_version).toBe(3)
    expect(listDrafts().map((x) => x.labourer_id)).toEqual(['42'])
  })

  it('keeps the same idempotency key across resends until it goes through', async () => {
    const d0 = createDraft(person, emptyValues(), 3)
    const keys: string[] = []
    const send = vi.fn(async (input: any) => {
      keys.push(input.idempotency_key)
      if (keys.length < 3) throw offline()
      return { id: '900', state: 'submitted', state_label: '待专班确认' }
    })
    const conflict = () => null
    expect((await submitDraft('42', send, conflict)).sync).toBe('pending')
    expect((await submitDraft('42', send, conflict)).sync).toBe('pending')
    const done = await submitDraft('42', send, conflict)
    expect(done.sync).toBe('submitted')
    expect(done.form_id).toBe('900')
    expect(new Set(keys).size).toBe(1)
    expect(keys[0]).toBe(d0.idempotency_key)
    expect(keys[0]).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
    // A submitted draft is not sent again.
    await submitDraft('42', send, conflict)
    expect(send).toHaveBeenCalledTimes(3)
  })

  it('a draft waiting to upload survives a restart with its key', async () => {
    createDraft(person, emptyValues(), 1)
    await submitDraft('42', async () => { throw offline() }, () => null)
    const before = getDraft('42')!
    expect(before.sync).toBe('pending')
    // "Restart": nothing but storage is left.
    const after = listDrafts()[0]
    expect(after.idempotency_key).toBe(before.idempotency_key)
    expect(after.sync).toBe('pending')
  })

  it('editing a draft that waits to upload makes a new submission (new key)', async () => {
    const d0 = createDraft(person, emptyValues(), 1)
    await submitDraft('42', async () => { throw offline() }, () => null)
    const d1 = editDraft('42', { values: setPath(d0.values, 'working', true) })!
    expect(d1.sync).toBe('draft')
    expect(d1.idempotency_key).not.toBe(d0.idempotency_key)
  })

  it('two taps at once send once', async () => {
    createDraft(person, emptyValues(), 1)
    let calls = 0
    const send = async () => {
      calls++
      await new Promise((r) => setTimeout(r, 10))
      return { id: '1', state: 'submitted', state_label: '' }
    }
    await Promise.all([submitDraft('42', send, () => null), submitDraft('42', send, () => null)])
    expect(calls).toBe(1)
  })

  it('field errors from the server put the draft back to 草稿 with the messages', async () => {
    createDraft(person, emptyValues(), 1)
    const bad = new ApiError(400, 'validation', '填写有误', [{ field: 'employment.wage', code: 'required', message: '请填写月平均工资（元）' }])
    const d = await submitDraft('42', async () => { throw bad }, () => null)
    expect(d.sync).toBe('draft')
    expect(d.field_errors!['employment.wage']).toBe('请填写月平均工资（元）')
  })

  it('409 ledger_changed keeps both versions; resolving takes the new base_version', async () => {
    const mine = setPath(emptyValues(), 'working', false)
    createDraft(person, mine, 3)
    const current = toServer(setPath(emptyValues(), 'working', true))
    const e = new ApiError(409, 'ledger_changed', '台账又有了变化', [], '', {
      error: { code: 'ledger_changed', message: '…', data: { Draft: toServer(mine), Current: current, BaseVersion: 3, CurrentVersion: 5 } }
    })
    const d = await submitDraft('42', async () => { throw e }, (err, cur) => conflictFrom(err, cur.base_version))
    expect(d.sync).toBe('conflict')
    expect(d.conflict!.server_version).toBe(5)
    expect(d.conflict!.theirs.working).toBe(true)
    const r = resolveConflict('42', d.conflict!.theirs)!
    expect(r.base_version).toBe(5)
    expect(r.sync).toBe('draft')
    expect(r.conflict).toBeNull()
  })
})

describe('toServer / fromServer', () => {
  it('sends hidden sections as null (the server refuses them)', () => {
    const v = setPath(setPath(emptyValues(), 'working', false), 'employment.wage', '4500')
    const body = toServer(v)
    expect(body.employment).toBeNull()
    expect(body.not_out).not.toBeNull()
    const w = toServer(setPath(setPath(emptyValues(), 'working', true), 'employment.wage', '4500'))
    expect(w.not_out).toBeNull()
    expect(w.employment.wage).toBe(4500)
    expect(w.employment.place_name).toBeUndefined()
  })
  it('round-trips the ledger form', () => {
    const v = fromServer({ verification: 'verified', basic: { name: '马小军', state: 'normal', two_after: false }, working: true, work_year: { start_year: 2025, months: ['2025-10'], months_worked: 1, income: 5200 }, employment: { wage: 5200, contract: true }, services: { none: false, items: { guidance: 2 } } })
    expect(v.basic.name).toBe('马小军')
    expect(v.employment.wage).toBe('5200')
    expect(v.employment.contract).toBe(true)
    expect(v.services.items.guidance).toBe('2')
    const back = toServer(v)
    expect(back.basic.name).toBe('马小军')
    expect(back.services.items).toEqual({ guidance: 2 })
    expect(back.work_year.income).toBe(5200)
  })
})
