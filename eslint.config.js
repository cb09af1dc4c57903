// ESLint (flat config), run by `npm run lint` and `npm test`: the
// recommended rules, one concept per file (max-lines), and the layer
// direction of ARCHITECTURE.md ("JavaScript layer: target layout") as import
// rules: a lower layer never imports a higher one, and only js/engine/
// builds or reads the bytes of the wasm boundary.
import js from '@eslint/js'
import pluginVue from 'eslint-plugin-vue'
import globals from 'globals'

// The layers of js/, lowest first, and what each may not import.
// js/tabs/ (sharing a store between tabs) sits just below js/api/: the api
// hands it what it builds (the store of a tab), so it imports only js/core/.
const ABOVE = {
  core: ['engine', 'store', 'sync', 'api', 'persistence', 'transport', 'tabs', 'server'],
  engine: ['store', 'sync', 'api', 'persistence', 'transport', 'tabs', 'server'],
  persistence: ['engine', 'store', 'sync', 'api', 'transport', 'tabs', 'server'],
  transport: ['engine', 'store', 'sync', 'api', 'persistence', 'tabs', 'server'],
  store: ['sync', 'api', 'transport', 'tabs', 'server'],
  sync: ['api', 'persistence', 'tabs', 'server'],
  tabs: ['engine', 'store', 'sync', 'api', 'persistence', 'transport', 'server'],
  api: ['server'],
  // The server peer (Node only) is the top: it builds a store and serves it.
  server: []
}
// The byte codecs: nothing outside js/engine/ may import them.
const BYTES = { regex: '(^|/)engine/(wire|codec|sync-codec)\\.js$', message: 'only js/engine/ builds or reads wasm bytes' }

/** @param {string[]} layers @param {string} from */
function layerPatterns(layers, from) {
  return layers.map((l) => ({
    regex: `(^|/)${l}/[^/]+\\.js$`,
    message: `js/${from}/ must not import js/${l}/ (layers point one way: ARCHITECTURE.md)`
  }))
}

export default [
  { ignores: ['build/**', 'dist/**', 'node_modules/**', 'demo/dist/**', 'tests/package/vue-app/**', '**/*.d.ts'] },
  js.configs.recommended,
  ...pluginVue.configs['flat/essential'],
  {
    languageOptions: {
      ecmaVersion: 2024,
      sourceType: 'module',
      globals: { ...globals.browser, ...globals.node }
    },
    rules: {
      'max-lines': ['error', { max: 400, skipBlankLines: true, skipComments: true }],
      'no-unused-vars': ['error', { args: 'after-used', argsIgnorePattern: '^_', caughtErrors: 'none' }],
      eqeqeq: ['error', 'smart'],
      'no-var': 'error',
      'prefer-const': 'error'
    }
  },
  ...Object.entries(ABOVE).map(([layer, above]) => ({
    files: [`js/${layer}/**/*.js`],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [...layerPatterns(above, layer), ...(layer === 'engine' ? [] : [BYTES])] }
      ]
    }
  })),
  {
    // The Vue layer and the demo use the package by its name, never its files.
    files: ['vue-composable/**/*.js', 'demo/src/**/*.{js,vue}'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ regex: '^\\.\\.?/.*\\b(js|dist)/', message: "import 'paging-storage', not its files" }] }
      ]
    }
  },
  {
    // Tests, benchmarks and scripts: longer files are allowed where one
    // scenario needs them.
    files: ['tests/**/*.js', 'scripts/**/*.{js,mjs}', 'tests/**/*.mjs'],
    rules: { 'max-lines': ['error', { max: 600, skipBlankLines: true, skipComments: true }] }
  },
  {
    // Code evaluated inside browser pages (page.evaluate callbacks).
    files: ['tests/browser/**/*.js', 'tests/bench/**/*.js', 'tests/browser-crash/**/*.js', 'tests/package/**/*.js'],
    languageOptions: { globals: { ...globals.browser, ...globals.node } }
  }
]
