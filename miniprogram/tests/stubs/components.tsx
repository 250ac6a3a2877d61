// DOM stand-ins for @tarojs/components in unit tests (jsdom). Only what our code uses.
import { createElement, type ReactNode } from 'react'

type AnyProps = Record<string, any> & { children?: ReactNode }

// Taro-only props that must not reach the DOM.
const DROP = new Set(['hoverClass', 'scrollY', 'scrollX', 'openType', 'onGetPhoneNumber', 'confirmType', 'onConfirm', 'mode', 'fields', 'start', 'end', 'password'])

function domProps(props: AnyProps): AnyProps {
  const out: AnyProps = {}
  for (const [k, v] of Object.entries(props)) {
    if (DROP.has(k) || k === 'children') continue
    if (k === 'maxlength') out.maxLength = v
    else out[k] = v
  }
  return out
}

export function View(props: AnyProps) {
  return createElement('div', domProps(props), props.children)
}

export function Text(props: AnyProps) {
  return createElement('span', domProps(props), props.children)
}

export function ScrollView(props: AnyProps) {
  return createElement('div', domProps(props), props.children)
}

export function Button(props: AnyProps) {
  return createElement('button', domProps(props), props.children)
}

export function Input(props: AnyProps) {
  const { onInput, type, ...rest } = props
  return createElement('input', {
    ...domProps(rest),
    type: props.password ? 'password' : type === 'number' || type === 'idcard' || type === 'digit' ? 'text' : type || 'text',
    onChange: (e: any) => onInput && onInput({ detail: { value: e.target.value } })
  })
}

export function Picker(props: AnyProps) {
  return createElement('div', { 'data-picker': props.mode }, props.children)
}

export function Image(props: AnyProps) {
  return createElement('img', domProps(props))
}

export function Textarea(props: AnyProps) {
  const { onInput, ...rest } = props
  return createElement('textarea', {
    ...domProps(rest),
    onChange: (e: any) => onInput && onInput({ detail: { value: e.target.value } })
  })
}
