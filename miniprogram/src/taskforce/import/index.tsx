import Taro, { useDidHide, useDidShow } from '@tarojs/taro'
import { Text, View } from '@tarojs/components'
import { useRef, useState } from 'react'
import type { ImportJob } from '../../types/imports'
import { downloadChanges, downloadErrors, downloadTemplate, getImport, listImports, pickAndUpload } from '../../services/imports'
import { errorMessage } from '../../services/request'
import { showDate } from '../../utils/date'
import BigButton from '../../components/BigButton'
import ErrorBanner from '../../components/ErrorBanner'
import PageHeader from '../../components/PageHeader'

const POLL_MS = 1500

function finished(j: ImportJob): boolean {
  return j.status === 'done' || j.status === 'failed'
}

function JobCard({ job, onErrors }: { job: ImportJob; onErrors: (j: ImportJob) => void }) {
  const total = job.total_rows || 0
  const pct = total ? Math.min(100, Math.round((job.processed / total) * 100)) : finished(job) ? 100 : 0
  return (
    <View className='card' data-testid={`job-${job.id}`}>
      <View className='row-head'>
        <Text className='row-name'>{job.file_name}</Text>
        <Text className={`tag ${job.status === 'done' ? 'tag-ok' : job.status === 'failed' ? 'sync-conflict' : 'tag-warn'}`} data-testid='job-status'>
          {job.status_label || job.status}
        </Text>
      </View>
      <View className='progress'>
        <View className='progress-fill' style={{ width: `${pct}%` }} />
      </View>
      <View className='muted' data-testid='job-progress'>
        已处理 {job.processed}
        {total ? ` / ${total}` : ''} 行 · 新增 {job.created} · 更新 {job.updated} · 无变化 {job.unchanged} · 有错 {job.bad}
      </View>
      {job.message ? <View className='field-error'>{job.message}</View> : null}
      <View className='muted'>上传于 {showDate(job.created_at)} {job.created_at.slice(11, 16)}</View>
      {job.bad > 0 ? (
        <BigButton tone='danger' size='small' onClick={() => onErrors(job)} testid='job-errors'>
          下载错误报告（{job.bad} 处）
        </BigButton>
      ) : null}
    </View>
  )
}

/**
 * 导入台账: upload a registry export (.xlsx/.csv in the documented layout), watch the job,
 * download the error report (row, column, message); the template; and the 异动 export.
 */
export default function ImportPage() {
  const [current, setCurrent] = useState<ImportJob | null>(null)
  const [recent, setRecent] = useState<ImportJob[]>([])
  const [error, setError] = useState('')
  const [busy, setBusy] = useState('')
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null)

  const stopPolling = () => {
    if (timer.current) clearTimeout(timer.current)
    timer.current = null
  }

  const poll = (id: string) => {
    stopPolling()
    timer.current = setTimeout(async () => {
      try {
        const j = await getImport(id)
        setCurrent(j)
        if (!finished(j)) poll(id)
        else refreshRecent()
      } catch (e) {
        setError(errorMessage(e))
        poll(id) // keep trying: the job runs on the server regardless
      }
    }, POLL_MS)
  }

  const refreshRecent = () =>
    listImports()
      .then((p) => setRecent(p.items || []))
      .catch(() => undefined)

  useDidShow(() => {
    refreshRecent()
    if (current && !finished(current)) poll(current.id)
  })
  useDidHide(stopPolling)

  const run = async (name: string, fn: () => Promise<unknown>) => {
    setBusy(name)
    setError('')
    try {
      await fn()
    } catch (e) {
      setError(errorMessage(e))
    } finally {
      setBusy('')
    }
  }

  const upload = () =>
    run('upload', async () => {
      const job = await pickAndUpload()
      if (!job) return
      setCurrent(job)
      if (!finished(job)) poll(job.id)
    })

  const saved = (name: string) => Taro.showToast({ title: `已下载 ${name}`, icon: 'none' })

  return (
    <View className='page' data-testid='import'>
      <PageHeader title='导入台账' back />
      <View className='muted'>从全国系统导出的 Excel（.xlsx）或 CSV，按模板的列排好。同一个文件重复导入不会重复建档；有错的行单独列出，其余照常导入。</View>
      <ErrorBanner message={error} />
      <BigButton tone='blue' icon='📤' loading={busy === 'upload'} onClick={upload} testid='import-upload'>
        选择文件并导入
      </BigButton>
      <View className='bar-row'>
        <BigButton tone='plain' size='small' loading={busy === 'template'} onClick={() => run('template', () => downloadTemplate().then(saved))} testid='import-template'>
          下载导入模板
        </BigButton>
        <BigButton tone='plain' size='small' loading={busy === 'changes'} onClick={() => run('changes', () => downloadChanges().then(saved))} testid='changes-export'>
          导出异动清单
        </BigButton>
      </View>
      {current ? <JobCard job={current} onErrors={(j) => run('errors', () => downloadErrors(j).then(saved))} /> : null}
      {recent.filter((j) => !current || j.id !== current.id).length ? <View className='section-title'>最近的导入</View> : null}
      {recent
        .filter((j) => !current || j.id !== current.id)
        .map((j) => (
          <JobCard key={j.id} job={j} onErrors={(x) => run('errors', () => downloadErrors(x).then(saved))} />
        ))}
    </View>
  )
}
