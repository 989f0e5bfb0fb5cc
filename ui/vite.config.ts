import { defineConfig } from 'vite';

// Plain Vite + esbuild's JSX for Preact: no framework plugin needed.
export default defineConfig({
  clearScreen: false,
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2022', sourcemap: false },
  test: { environment: 'node', include: ['test/**/*.test.ts'] },
} as any);
