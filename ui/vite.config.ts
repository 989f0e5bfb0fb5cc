import { defineConfig } from 'vite';
import { frozenPrototypeSafe } from './build/frozen-prototype';

// Plain Vite + esbuild's JSX for Preact: no framework plugin needed.
export default defineConfig({
  clearScreen: false,
  plugins: [frozenPrototypeSafe()],
  // Vite pre-bundles dependencies only for the dev server; excluding preact keeps the rewrite there too.
  optimizeDeps: { exclude: ['preact', 'preact/hooks'] },
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2022', sourcemap: false },
  test: { environment: 'node', include: ['test/**/*.test.{ts,tsx}'], env: { TZ: 'UTC' } },
} as any);
