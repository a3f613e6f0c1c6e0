import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/index.ts'],
  format: ['esm', 'cjs'],
  // declarations import sibling packages by name, from their built types
  dts: { compilerOptions: { customConditions: [] } },
  sourcemap: true,
  clean: true,
  target: 'node20',
  // optional, loaded lazily by the onnxruntime backend; never bundled
  external: ['onnxruntime-node'],
});
