import { defineConfig, type UserConfigExport } from '@tarojs/cli'
import path from 'path'

// Taro build configuration. Output goes to dist/<TARO_ENV> (dist/weapp, dist/h5);
// the Go binary embeds dist/h5 and serves it at "/".
export default defineConfig<'webpack5'>(async () => {
  const config: UserConfigExport<'webpack5'> = {
    projectName: 'jiuyebang',
    date: '2026-11-1',
    // NutUI is drawn for a 375 px design, our own styles for 750.
    designWidth(input: any) {
      const file: string = input?.file ? String(input.file).replace(/\\+/g, '/') : ''
      return file.includes('@nutui') ? 375 : 750
    },
    deviceRatio: { 640: 2.34 / 2, 750: 1, 375: 2, 828: 1.81 / 2 },
    sourceRoot: 'src',
    outputRoot: `dist/${process.env.TARO_ENV}`,
    alias: {
      '@': path.resolve(__dirname, '..', 'src')
    },
    plugins: [],
    defineConstants: {},
    copy: { patterns: [], options: {} },
    framework: 'react',
    compiler: { type: 'webpack5', prebundle: { enable: false } },
    cache: { enable: false },
    mini: {
      postcss: {
        pxtransform: { enable: true, config: {} },
        cssModules: { enable: false }
      }
    },
    h5: {
      publicPath: '/',
      staticDirectory: 'static',
      router: { mode: 'hash' },
      webpackChain(chain) {
        // Taro splits only initial chunks on H5, so every lazily loaded page would carry its
        // own copy of shared modules (NutUI Popup, Taro form components). Share them.
        const split = chain.optimization.get('splitChunks') || {}
        chain.optimization.splitChunks({ ...split, chunks: 'all' })
      },
      output: {
        filename: 'js/[name].[contenthash:8].js',
        chunkFilename: 'js/[name].[contenthash:8].js'
      },
      miniCssExtractPluginOption: {
        ignoreOrder: true,
        filename: 'css/[name].[contenthash:8].css',
        chunkFilename: 'css/[name].[contenthash:8].css'
      },
      postcss: {
        autoprefixer: { enable: true, config: {} },
        cssModules: { enable: false }
      }
    }
  }
  return config
})
