import { defineConfig } from 'wxt';

// WXT builds the extension from ./entrypoints. Auto-imports are off so every file names what it uses
// (the root tsconfig type-checks the modules the tests import, without WXT's generated globals).
export default defineConfig({
  modules: ['@wxt-dev/module-react'],
  imports: false,
  manifest: {
    name: 'ZIPP',
    version: '0.1.0',
    description: 'Rewrites your image prompts in your own style, from a persona kept on your machine.',
    permissions: ['storage'],
    content_security_policy: {
      extension_pages: "script-src 'self' 'wasm-unsafe-eval'; object-src 'self';",
    },
  },
});
