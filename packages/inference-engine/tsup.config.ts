import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/index.ts'],
  format: ['esm', 'cjs'],
  // declarations import sibling packages by name, from their built types
  dts: { compilerOptions: { customConditions: [] } },
  sourcemap: true,
  clean: true,
  target: 'node20',
  // optional, loaded lazily (the onnxruntime backend; ImageDecoder's decoders); never bundled
  external: ['onnxruntime-node', 'sharp', '@cornerstonejs/codec-openjpeg'],
  // import.meta.url (which resolves ImageDecoder's optional decoders) in the CommonJS build too
  shims: true,
});
