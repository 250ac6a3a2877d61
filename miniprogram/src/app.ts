import type { PropsWithChildren } from 'react'
import { setAuthLostHandler } from './services/request'
import { toLogin } from './utils/nav'
import './app.css'

// When a session cannot be renewed, every page sends the person back to login.
setAuthLostHandler(toLogin)

function App({ children }: PropsWithChildren) {
  return children
}

export default App
