// Stand-in for NutUI's Popup in unit tests: renders its children while visible.
import { createElement, type ReactNode } from 'react'

export default function Popup(props: { visible?: boolean; children?: ReactNode }) {
  return props.visible ? createElement('div', { 'data-popup': 'open' }, props.children) : null
}
