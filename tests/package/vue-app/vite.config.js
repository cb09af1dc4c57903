import vue from '@vitejs/plugin-vue'
import { defineConfig } from 'vite'

// Nothing paging-storage specific: the .wasm is found by Vite on its own.
export default defineConfig({ plugins: [vue()] })
