import { defineConfig } from 'tsup';

export default defineConfig({
  // server-worker: the worker-thread entry the model server starts, one per model instance
  entry: { index: 'src/index.ts', bin: 'src/bin.ts', 'server-worker': 'src/server/runtime/worker.ts' },
  format: ['esm', 'cjs'],
  // declarations import sibling packages by name, from their built types
  dts: { entry: 'src/index.ts', compilerOptions: { customConditions: [] } },
  sourcemap: true,
  clean: true,
  target: 'node20',
  // import.meta.url (which locates server-worker.js) in the CommonJS build too
  shims: true,
});
