import { defineConfig } from 'vitest/config'
import path from 'node:path'

const r = (p: string) => path.resolve(__dirname, p)

// Unit tests run in jsdom with Taro and its components replaced by small DOM stand-ins.
export default defineConfig({
  esbuild: { jsx: 'automatic' },
  resolve: {
    alias: [
      { find: /^@tarojs\/components$/, replacement: r('tests/stubs/components.tsx') },
      { find: /^@tarojs\/taro$/, replacement: r('tests/stubs/taro.ts') },
      { find: /^@nutui\/nutui-react-taro\/dist\/es\/packages\/popup\/index$/, replacement: r('tests/stubs/popup.tsx') },
      { find: /^@nutui\/.*\.css$/, replacement: r('tests/stubs/empty.css') },
      { find: /^@nutui\/.*\/style\/css$/, replacement: r('tests/stubs/empty.css') },
      { find: /^@\//, replacement: r('src') + '/' }
    ]
  },
  test: {
    environment: 'jsdom',
    include: ['tests/**/*.test.{ts,tsx}'],
    css: false,
    restoreMocks: true
  }
})
