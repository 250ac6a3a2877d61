import Taro, { useLoad, useRouter } from '@tarojs/taro'
import { Input, Picker, Text, View } from '@tarojs/components'
import { useEffect, useRef, useState, type ReactNode } from 'react'
import type { Option, Options } from '../../types/api'
import type { FormValues, VisitProof } from '../../types/verify'
import { getOptions } from '../../services/options'
import { errorMessage } from '../../services/request'
import { getMe } from '../../services/session'
import { conflictFrom, getPrefill, submitForm } from '../../services/verify'
import { locate } from '../../services/location'
import { showDate, today } from '../../utils/date'
import { createDraft, editDraft, getDraft, resolveConflict, submitDraft, type Draft } from '../lib/drafts'
import { checkForm, getPath, proofFacts, reachable, SECTION_TITLES, SERVICE_ITEMS, setPath, visibleSections, workYearMonths, type SectionId } from '../lib/rules'
import { LOCAL_OPTIONS } from '../lib/options'
import { startSyncLoop } from '../lib/sync'
import BigButton from '../../components/BigButton'
import Chips, { YesNo } from '../../components/Chips'
import ErrorBanner from '../../components/ErrorBanner'
import Field from '../../components/Field'
import PageHeader from '../../components/PageHeader'
import RegionPicker, { DEPTH, type PickedRegion } from '../../components/RegionPicker'
import ConflictView from '../components/ConflictView'
import { fieldLabel } from '../lib/conflict'
import SignaturePad from '../components/SignaturePad'
import SyncBadge from '../components/SyncBadge'

function Section(props: { id: SectionId; children: ReactNode; note?: string }) {
  return (
    <View className='form-section' data-testid={`sec-${props.id}`}>
      <View className='form-section-title'>{SECTION_TITLES[props.id]}</View>
      {props.note ? <View className='muted'>{props.note}</View> : null}
      {props.children}
    </View>
  )
}

function monthLabel(m: string): string {
  const [y, mm] = m.split('-')
  return `${y}年${Number(mm)}月`
}

/**
 * 外出务工贫困劳动力信息采集表 (seed 002 附件1) for one labourer: prefilled from the ledger,
 * sections shown as the answers require them, saved on the phone at every change, sent with
 * the draft's idempotency key, and shown side by side with the ledger on a conflict.
 */
export default function FormPage() {
  const router = useRouter()
  const labourerId = String(router.params.labourer_id || router.params.id || '')
  const [draft, setDraft] = useState<Draft | null>(getDraft(labourerId))
  const [opts, setOpts] = useState<Options & Record<string, Option[] | undefined>>({})
  const [loadError, setLoadError] = useState('')
  const [localErrors, setLocalErrors] = useState<Record<string, string>>({})
  const [busy, setBusy] = useState(false)
  const [banner, setBanner] = useState('')
  const [locating, setLocating] = useState(false)
  const [attemptMethod, setAttemptMethod] = useState('visit')
  const [attemptNote, setAttemptNote] = useState('')
  const locatedOnce = useRef(false)

  const group = (name: string): Option[] => (opts[name] && opts[name]!.length ? opts[name]! : LOCAL_OPTIONS[name] || [])

  const fixLocation = async (d: Draft) => {
    setLocating(true)
    const r = await locate()
    setLocating(false)
    const cur = getDraft(d.labourer_id) || d
    const proof: VisitProof = r.ok
      ? { ...cur.proof, location: r.point, location_note: '' }
      : { ...cur.proof, location: null, location_note: cur.proof.location_note || `未定位：${r.reason}` }
    const next = editDraft(d.labourer_id, { proof })
    if (next) setDraft(next)
  }

  useLoad(async () => {
    getOptions()
      .then((o) => setOpts(o as any))
      .catch(() => undefined)
    let d = getDraft(labourerId)
    if (!d) {
      try {
        const p = await getPrefill(labourerId)
        d = createDraft(p.person, p.values, p.base_version)
      } catch (e) {
        setLoadError(`${errorMessage(e)}（第一次打开这个人的表需要联网）`)
        return
      }
    }
    setDraft(d)
    if (!d.proof.location && !locatedOnce.current && d.sync !== 'submitted') {
      locatedOnce.current = true
      fixLocation(d)
    }
  })

  // Pending drafts go up on their own when the network comes back.
  useEffect(
    () =>
      startSyncLoop((d) => {
        if (d.labourer_id === labourerId) setDraft(d)
      }),
    [labourerId]
  )

  if (!draft) {
    return (
      <View className='page'>
        <PageHeader title='信息采集表' back />
        {loadError ? <ErrorBanner message={loadError} /> : <View className='muted center'>正在读取…</View>}
      </View>
    )
  }

  const v = draft.values
  const shown = visibleSections(v)
  const errors: Record<string, string> = { ...(draft.field_errors || {}), ...localErrors }
  const err = (path: string) => errors[path]

  const update = (path: string, value: unknown) => {
    let values = setPath(v, path, value)
    // A few answers bring a sensible start value with them, so the cadre only corrects it.
    if (path === 'not_out.type' && value === 'lost_job' && !values.not_out.lost_job_date) values = setPath(values, 'not_out.lost_job_date', today())
    if (path === 'return.returned' && value === true && !values.return.return_date) values = setPath(values, 'return.return_date', today())
    if (path === 'employment.assisted' && value === true && !values.employment.assisted_month) values = setPath(values, 'employment.assisted_month', today().slice(0, 7))
    if (path === 'training.wish' && value === true && !values.training.month) values = setPath(values, 'training.month', today().slice(0, 7))
    if (path === 'services.none' && value === true) values = setPath(values, 'services.items', {})
    const next = editDraft(labourerId, { values })
    if (next) setDraft(next)
    if (errors[path]) {
      const rest = { ...localErrors }
      delete rest[path]
      setLocalErrors(rest)
      if (draft.field_errors && draft.field_errors[path]) {
        const fe = { ...draft.field_errors }
        delete fe[path]
        const saved = getDraft(labourerId)
        if (saved) setDraft({ ...saved, field_errors: fe })
      }
    }
  }
  const updateProof = (proof: Partial<VisitProof>) => {
    const next = editDraft(labourerId, { proof: { ...draft.proof, ...proof } })
    if (next) setDraft(next)
    if (proof.location) proof = { ...proof }
    if (proof.signature && localErrors['proof.signature']) {
      const rest = { ...localErrors }
      delete rest['proof.signature']
      setLocalErrors(rest)
    }
  }

  const chips = (path: string, groupName: string, prefix?: string) => (
    <Chips options={group(groupName)} value={String(getPath(v, path) || '')} onChange={(c) => update(path, c)} testidPrefix={prefix || path.replace(/\./g, '-')} />
  )
  const yesNo = (path: string, yes?: string, no?: string) => (
    <YesNo value={getPath(v, path) === true ? true : getPath(v, path) === false ? false : null} onChange={(b) => update(path, b)} testidPrefix={path.replace(/\./g, '-')} yes={yes} no={no} />
  )
  const text = (path: string, placeholder = '', type: 'text' | 'number' | 'digit' = 'text', maxlength = 100) => (
    <Input
      className='input'
      type={type}
      value={String(getPath(v, path) || '')}
      placeholder={placeholder}
      maxlength={maxlength}
      onInput={(e) => update(path, e.detail.value)}
      data-testid={`in-${path.replace(/\./g, '-')}`}
    />
  )
  const date = (path: string, fields: 'day' | 'month' = 'day') => {
    const val = String(getPath(v, path) || '')
    return (
      <Picker mode='date' fields={fields} value={val || (fields === 'month' ? today().slice(0, 7) : today())} onChange={(e) => update(path, e.detail.value)}>
        <View className={`input picker-box ${val ? '' : 'placeholder'}`} data-testid={`in-${path.replace(/\./g, '-')}`}>
          {val ? showDate(val) : '点这里选日期'}
        </View>
      </Picker>
    )
  }
  const region = (codePath: string, namePath: string, title: string, minDepth: number, maxDepth: number) => {
    const code = String(getPath(v, codePath) || '')
    const name = String(getPath(v, namePath) || '')
    const value: PickedRegion | null = code ? { code, name: name || code, path: [] } : null
    return (
      <RegionPicker
        title={title}
        value={value}
        onChange={(r) => {
          const next = editDraft(labourerId, { values: setPath(setPath(v, codePath, r.code), namePath, r.name) })
          if (next) setDraft(next)
        }}
        minDepth={minDepth}
        maxDepth={maxDepth}
        testid={`in-${codePath.replace(/\./g, '-')}`}
      />
    )
  }

  const months = workYearMonths(undefined, v.work_year.start_year)
  const ticked = new Set(v.work_year.months)
  const toggleMonth = (m: string) => {
    const next = ticked.has(m) ? v.work_year.months.filter((x) => x !== m) : [...v.work_year.months, m].sort()
    update('work_year.months', next)
  }

  const submit = async () => {
    const local = checkForm(v, proofFacts(draft.proof, draft.attempts.length))
    setLocalErrors(local)
    setBanner('')
    if (Object.keys(local).length) {
      setBanner('还有没填好的项目，请看标红的地方')
      setTimeout(() => {
        Promise.resolve(Taro.pageScrollTo({ selector: '.field-error', duration: 200, offsetTop: -160 } as any)).catch(() => undefined)
      }, 50)
      return
    }
    setBusy(true)
    const d = await submitDraft(labourerId, submitForm, (e, cur) => conflictFrom(e, cur.base_version))
    setBusy(false)
    setDraft(d)
    if (d.sync === 'submitted') {
      setBanner('')
      Taro.showToast({ title: '已提交，等专班确认', icon: 'success' })
    } else if (d.sync === 'pending') {
      setBanner(`${d.last_error || '网络不通'}。表已保存在手机上（待上传），有网后会自动上传，也可以再点提交。`)
    } else if (d.sync === 'conflict') {
      setBanner('台账在您填表后被改过了，请在下面对照两边的内容')
    } else {
      setBanner(d.last_error || '提交没有成功')
    }
  }

  const onResolve = async (merged: FormValues) => {
    const d = resolveConflict(labourerId, merged)
    if (d) setDraft(d)
    await submit()
  }

  const submitted = draft.sync === 'submitted'
  const me = getMe()
  const p = draft.person

  return (
    <View className='page form-page' data-testid='verify-form'>
      <PageHeader title='信息采集表' back />
      <View className='card person-card'>
        <View className='row-head'>
          <Text className='big-name' data-testid='form-name'>
            {p.name}
          </Text>
          <SyncBadge state={draft.sync} testid='form-sync' />
        </View>
        <View className='muted'>
          {p.id_masked}　{p.phone_masked}
        </View>
        <View className='muted'>
          {p.region_path}
          {p.ethnicity ? ` · ${p.ethnicity}` : ''}
        </View>
      </View>
      {submitted ? (
        <View className='result-card' data-testid='form-submitted'>
          <View className='result-icon'>✅</View>
          <View className='result-title' style={{ color: '#2e7d32' }}>
            已提交，等专班确认
          </View>
          <View className='muted'>如需更正，改动后再提交一次即可。</View>
        </View>
      ) : null}
      <ErrorBanner message={banner || (draft.sync !== 'submitted' ? draft.last_error || '' : '')} />
      {draft.field_errors && Object.keys(draft.field_errors).length ? (
        <View className='error-banner' data-testid='server-field-errors'>
          {Object.entries(draft.field_errors).map(([path, msg]) => (
            <View key={path}>
              {fieldLabel(path) !== path ? `${fieldLabel(path)}：` : ''}
              {msg}
            </View>
          ))}
        </View>
      ) : null}
      {draft.sync === 'conflict' && draft.conflict ? <ConflictView mine={v} theirs={draft.conflict.theirs} onResolve={onResolve} busy={busy} /> : null}

      <Section id='basic'>
        <Field label='核实情况' name='verification' required error={err('verification')}>
          {chips('verification', 'verifications')}
        </Field>
        {reachable(v) ? (
          <View>
            <Field label='当前状态' name='basic.state' required error={err('basic.state')}>
              {chips('basic.state', 'labourer_states')}
            </Field>
            {v.basic.state === 'temp_exit' || v.basic.state === 'perm_exit' ? (
              <Field label='退出原因' name='basic.state_reason' required error={err('basic.state_reason')}>
                {chips('basic.state_reason', v.basic.state === 'temp_exit' ? 'temp_exit_reasons' : 'perm_exit_reasons')}
              </Field>
            ) : null}
          </View>
        ) : null}
        {shown.has('work_year') ? (
          <View>
            <Field label='是否务工' name='working' required error={err('working')}>
              {yesNo('working')}
            </Field>
            <Field label='劳动能力' name='basic.labour_capacity' required error={err('basic.labour_capacity')}>
              {chips('basic.labour_capacity', 'labour_capacities')}
            </Field>
            <Field label='技能等级' name='basic.skill_level' required error={err('basic.skill_level')}>
              {chips('basic.skill_level', 'skill_levels')}
            </Field>
            <Field label='是否为两后生' name='basic.two_after' required error={err('basic.two_after')}>
              {yesNo('basic.two_after')}
            </Field>
            <Field label='文化程度' name='basic.education' required error={err('basic.education')}>
              {chips('basic.education', 'educations')}
            </Field>
            {v.basic.two_after === true ? (
              <Field label='毕业时间' name='basic.graduation_date' required error={err('basic.graduation_date')}>
                {date('basic.graduation_date', 'month')}
              </Field>
            ) : null}
            <Field label='家庭地址' name='basic.address' error={err('basic.address')}>
              {text('basic.address', '村、社、门牌')}
            </Field>
          </View>
        ) : null}
      </Section>

      {shown.has('unreachable') ? (
        <Section id='unreachable' note='每次联系都记下来：时间、方式。连续联系不上的，专班会跟进。'>
          {draft.attempts.map((a, i) => (
            <View key={i} className='kv' data-testid='attempt-row'>
              <View className='k'>{showDate(a.at)} {a.at.slice(11, 16)}</View>
              <View className='v'>
                {group('contact_methods').find((o) => o.code === a.method)?.label || a.method}
                {a.note ? ` · ${a.note}` : ''}
              </View>
            </View>
          ))}
          <Field label='这次怎么联系的' name='attempts' error={err('attempts')}>
            <Chips options={group('contact_methods')} value={attemptMethod} onChange={setAttemptMethod} testidPrefix='attempt-method' />
          </Field>
          <Input className='input' value={attemptNote} placeholder='备注：如电话关机、家里没人' maxlength={100} onInput={(e) => setAttemptNote(e.detail.value)} />
          <BigButton
            tone='plain'
            size='small'
            testid='attempt-add'
            onClick={() => {
              const next = editDraft(labourerId, { attempts: [...draft.attempts, { at: new Date().toISOString(), method: attemptMethod, note: attemptNote.trim() }] })
              if (next) setDraft(next)
              setAttemptNote('')
            }}
          >
            记录一次联系（第 {draft.attempts.length + 1} 次）
          </BigButton>
        </Section>
      ) : null}

      {shown.has('work_year') ? (
        <Section id='work_year' note='上年度10月至本年度9月，勾选干过活的月份'>
          <Field label={`具体务工时间（已选 ${v.work_year.months.length} 个月）`} name='work_year.months' error={err('work_year.months')}>
            <View className='chips months'>
              {months.map((m) => (
                <View key={m} className={`chip chip-month ${ticked.has(m) ? 'chip-on' : ''}`} onClick={() => toggleMonth(m)} data-testid={`month-${m}`}>
                  {monthLabel(m)}
                </View>
              ))}
            </View>
          </Field>
          <Field label='年度累计务工时间（月）' name='work_year.months_worked' required error={err('work_year.months_worked')} hint='不足一月可写小数，如 3.5；没有务工填 0'>
            {text('work_year.months_worked', '例如 8', 'digit', 4)}
          </Field>
          <Field label='年度务工收入（元）' name='work_year.income' required error={err('work_year.income')} hint='没有收入填 0'>
            {text('work_year.income', '例如 36000', 'number', 9)}
          </Field>
          <Field label='其中：灵活就业天数' name='work_year.flexible_days' error={err('work_year.flexible_days')}>
            {text('work_year.flexible_days', '没有就不填', 'number', 3)}
          </Field>
        </Section>
      ) : null}

      {shown.has('employment') ? (
        <Section id='employment'>
          <Field label='务工地点（省市县镇）' name='employment.place_code' required error={err('employment.place_code')}>
            {region('employment.place_code', 'employment.place_name', '务工地点', DEPTH.county, DEPTH.town)}
          </Field>
          <Field label='就业形式' name='employment.form' required error={err('employment.form')}>
            {chips('employment.form', 'employment_forms')}
          </Field>
          {v.employment.form === 'other' ? (
            <Field label='其他就业形式' name='employment.form_other' required error={err('employment.form_other')}>
              {text('employment.form_other')}
            </Field>
          ) : null}
          <Field label='就业单位名称' name='employment.employer_name' required={v.employment.form !== 'flexible'} error={err('employment.employer_name')}>
            {text('employment.employer_name', '厂子、公司或老板的名字')}
          </Field>
          <Field label='就业时间' name='employment.start_date' required error={err('employment.start_date')}>
            {date('employment.start_date')}
          </Field>
          <Field label='月平均工资（元）' name='employment.wage' required error={err('employment.wage')}>
            {text('employment.wage', '例如 4500', 'digit', 7)}
          </Field>
          <Field label='所属产业行业' name='employment.industry' required error={err('employment.industry')}>
            {chips('employment.industry', 'industries')}
          </Field>
          {v.employment.industry === 'other' ? (
            <Field label='其他行业' name='employment.industry_other' required error={err('employment.industry_other')}>
              {text('employment.industry_other')}
            </Field>
          ) : null}
          <Field label='是否签订劳动合同' name='employment.contract' required error={err('employment.contract')}>
            {yesNo('employment.contract')}
          </Field>
          <Field label='是否缴纳社会保险' name='employment.social_insurance' required error={err('employment.social_insurance')} hint='城镇职工养老、医疗保险；城乡居民保险不算'>
            {yesNo('employment.social_insurance')}
          </Field>
          <Field label='经帮扶实现就业' name='employment.assisted' required error={err('employment.assisted')}>
            {yesNo('employment.assisted')}
          </Field>
          {v.employment.assisted === true ? (
            <Field label='帮扶时间' name='employment.assisted_month' required error={err('employment.assisted_month')}>
              {date('employment.assisted_month', 'month')}
            </Field>
          ) : null}
          <Field label='是否返乡创业带动' name='employment.startup_led' required error={err('employment.startup_led')}>
            {yesNo('employment.startup_led')}
          </Field>
          <Field label='有组织劳务输出' name='employment.organised' error={err('employment.organised')}>
            {chips('employment.organised', 'organised_outputs')}
          </Field>
        </Section>
      ) : null}

      {shown.has('not_out') ? (
        <Section id='not_out'>
          <Field label='未外出务工类型' name='not_out.type' required error={err('not_out.type')}>
            <View className='chips-column'>{chips('not_out.type', 'not_out_types')}</View>
          </Field>
          {v.not_out.type === 'lost_job' ? (
            <Field label='就业转失业日期' name='not_out.lost_job_date' required error={err('not_out.lost_job_date')}>
              {date('not_out.lost_job_date')}
            </Field>
          ) : null}
          <Field label='是否有外出计划' name='not_out.has_plan' required error={err('not_out.has_plan')} hint='说不清去哪、干什么、要多少钱的，先选“否”，下个月再采集'>
            {yesNo('not_out.has_plan')}
          </Field>
          {shown.has('plan_yes') ? (
            <View data-testid='sec-plan_yes'>
              <Field label='外出务工意向地（省、市）' name='not_out.dest_code' required error={err('not_out.dest_code')}>
                {region('not_out.dest_code', 'not_out.dest_name', '意向地', DEPTH.province, DEPTH.city)}
              </Field>
              <Field label='计划外出时间' name='not_out.planned_month' error={err('not_out.planned_month')}>
                {date('not_out.planned_month', 'month')}
              </Field>
              <Field label='意向岗位（工种）' name='not_out.job' required error={err('not_out.job')}>
                {text('not_out.job', '例如 普工、电焊工')}
              </Field>
              <Field label='期望月薪（元）' name='not_out.expected_wage' required error={err('not_out.expected_wage')}>
                {text('not_out.expected_wage', '例如 5000', 'digit', 7)}
              </Field>
            </View>
          ) : null}
          {shown.has('plan_no') ? (
            <View data-testid='sec-plan_no'>
              <Field label='无外出意愿原因' name='not_out.no_plan_reason' required error={err('not_out.no_plan_reason')}>
                {chips('not_out.no_plan_reason', 'no_plan_reasons')}
              </Field>
              {v.not_out.no_plan_reason === 'other' ? (
                <Field label='其他原因' name='not_out.no_plan_other' required error={err('not_out.no_plan_other')}>
                  {text('not_out.no_plan_other')}
                </Field>
              ) : null}
            </View>
          ) : null}
        </Section>
      ) : null}

      {shown.has('return') ? (
        <Section id='return'>
          <Field label='是否返乡回流' name='return.returned' required error={err('return.returned')}>
            {yesNo('return.returned')}
          </Field>
          {shown.has('return_detail') ? (
            <View data-testid='sec-return_detail'>
              <Field label='返乡回流原因' name='return.reason' required error={err('return.reason')}>
                {chips('return.reason', 'return_reasons')}
              </Field>
              <Field label='返乡前务工地点' name='return.prev_place_code' required error={err('return.prev_place_code')}>
                {region('return.prev_place_code', 'return.prev_place_name', '返乡前务工地点', DEPTH.county, DEPTH.town)}
              </Field>
              <Field label='返乡日期' name='return.return_date' required error={err('return.return_date')}>
                {date('return.return_date')}
              </Field>
            </View>
          ) : null}
        </Section>
      ) : null}

      {shown.has('training') ? (
        <Section id='training'>
          <Field label='有无培训意愿' name='training.wish' required error={err('training.wish')} hint='说不清类别、工种、日期的，先选“无”'>
            {yesNo('training.wish', '有', '无')}
          </Field>
          {shown.has('training_detail') ? (
            <View data-testid='sec-training_detail'>
              <Field label='意愿培训类别' name='training.category' required error={err('training.category')}>
                {chips('training.category', 'training_categories')}
              </Field>
              <Field label='意愿培训工种' name='training.job' required error={err('training.job')}>
                {text('training.job', '例如 电工、厨师')}
              </Field>
              <Field label='意愿培训日期' name='training.month' required error={err('training.month')}>
                {date('training.month', 'month')}
              </Field>
            </View>
          ) : null}
        </Section>
      ) : null}

      {shown.has('services') ? (
        <Section id='services' note='本年度（1月1日以来）人社部门提供的就业服务'>
          <Field label='享受就业服务情况' name='services' required error={err('services')}>
            <Chips
              options={[
                { code: 'some', label: '享受过' },
                { code: 'none', label: '未享受过就业服务' }
              ]}
              value={v.services.none ? 'none' : 'some'}
              onChange={(c) => update('services.none', c === 'none')}
              testidPrefix='services'
            />
          </Field>
          {shown.has('service_counts')
            ? SERVICE_ITEMS.map((s) => (
                <Field key={s.code} label={`${s.label}（次数）`} name={`services.items.${s.code}`} error={err(`services.items.${s.code}`)}>
                  {text(`services.items.${s.code}`, '没有就不填', 'number', 3)}
                </Field>
              ))
            : null}
        </Section>
      ) : null}

      <Section id='proof'>
        <View className='kv'>
          <View className='k'>采集时间</View>
          <View className='v'>
            {showDate(draft.proof.visited_at)} {new Date(draft.proof.visited_at).toTimeString().slice(0, 5)}
          </View>
        </View>
        <View className='kv'>
          <View className='k'>采集人</View>
          <View className='v'>{me ? me.name : ''}</View>
        </View>
        <View className='kv'>
          <View className='k'>位置</View>
          <View className='v' data-testid='form-location'>
            {locating
              ? '正在定位…'
              : draft.proof.location
                ? `${draft.proof.location.latitude.toFixed(5)}, ${draft.proof.location.longitude.toFixed(5)}${draft.proof.location.accuracy ? `（±${Math.round(draft.proof.location.accuracy)}米）` : ''}`
                : draft.proof.location_note || '未定位'}
          </View>
        </View>
        {!draft.proof.location && !locating ? (
          <View>
            <View className='link' onClick={() => fixLocation(draft)}>
              重新定位
            </View>
            <Input
              className='input'
              value={draft.proof.location_note}
              placeholder='定不了位时写下地点，如：锁南镇某村3社马家'
              maxlength={100}
              onInput={(e) => updateProof({ location_note: e.detail.value })}
              data-testid='in-location-note'
            />
          </View>
        ) : null}
        {reachable(v) ? (
          <View>
            <Field label='核实方式' name='proof.method' required error={err('proof.method')}>
              <Chips
                options={[
                  { code: 'visit', label: '入户' },
                  { code: 'phone', label: '电话' }
                ]}
                value={draft.proof.method}
                onChange={(c) => updateProof(c === 'phone' ? { method: c, confirm_method: 'worker_account' } : { method: c })}
                testidPrefix='proof-method'
              />
            </Field>
            <Field label='本人确认' name='proof.confirm_method' required error={err('proof.confirm_method')}>
              <Chips
                options={[
                  { code: 'signature', label: '当面签名' },
                  { code: 'worker_account', label: '本人在小程序里确认' }
                ]}
                value={draft.proof.confirm_method}
                onChange={(c) => updateProof({ confirm_method: c })}
                testidPrefix='proof-confirm'
              />
            </Field>
            {draft.proof.confirm_method === 'signature' ? (
              <Field label='本人签字' name='proof.signature' required error={err('proof.signature')}>
                <SignaturePad value={draft.proof.signature} onChange={(s) => updateProof({ signature: s })} testid='signature' />
              </Field>
            ) : null}
          </View>
        ) : null}
        {err('proof.location') ? <View className='field-error'>{err('proof.location')}</View> : null}
        {err('proof.attempts') ? <View className='field-error'>{err('proof.attempts')}</View> : null}
      </Section>

      {submitted ? null : (
        <BigButton size='huge' tone={draft.sync === 'pending' ? 'orange' : 'primary'} loading={busy} onClick={submit} testid='form-submit'>
          {draft.sync === 'pending' ? '重新上传' : '提交'}
        </BigButton>
      )}
      <View className='muted center'>每一步都已自动保存在手机上，关掉也不会丢。</View>
    </View>
  )
}
