import { fileURLToPath } from 'node:url';
import { defineConfig } from 'wxt';
import { extensionAssets } from './build/public-assets.ts';
import { ZIPP_VERSION } from '../shared/version.ts';

/** ZIPP's content-script context in place of WXT's, which tells every page the extension id (lib/content/context.ts). */
const CONTEXT = fileURLToPath(new URL('./lib/content/context.ts', import.meta.url));

// WXT builds the extension from ./entrypoints. Auto-imports are off so every file names what it uses
// (the root tsconfig type-checks the modules the tests import, without WXT's generated globals).
export default defineConfig({
  modules: ['@wxt-dev/module-react'],
  imports: false,
  // @vitejs/plugin-react 6 configures JSX for Vite 8 (oxc); WXT builds with Vite 7 (esbuild), so say
  // it here: the automatic runtime, and its development variant only outside production builds.
  vite: (env) => ({
    resolve: { alias: [{ find: /^wxt\/utils\/content-script-context$/, replacement: CONTEXT }] },
    esbuild: { jsx: 'automatic', jsxDev: env.mode !== 'production' },
    define: env.mode === 'production' ? { 'process.env.NODE_ENV': JSON.stringify('production') } : {},
  }),
  hooks: {
    'build:publicAssets': (wxt, files) => {
      files.push(...extensionAssets((line) => wxt.logger.warn(line)));
    },
  },
  manifest: ({ browser }) => ({
    name: 'ZIPP',
    version: ZIPP_VERSION,
    description: 'Rewrites your image prompts in your own style, from a persona kept on your machine.',
    // storage: settings and the LLM key (storage.local). Host access: the inline button runs on the sites
    // the person uses, and the background calls the LLM URL they choose (a local server included).
    // declarativeNetRequestWithHostAccess: one session rule drops the Origin header from ZIPP's own
    // requests to the LLM server the person configured (Ollama refuses extension origins; origin-rule.ts).
    permissions: ['storage', 'declarativeNetRequestWithHostAccess'],
    host_permissions: ['http://*/*', 'https://*/*'],
    commands: {
      'rewrite-prompt': {
        suggested_key: { default: 'Alt+Shift+R' },
        description: 'Rewrite the prompt in the focused prompt box with your persona',
      },
    },
    // Production MV3 keeps the default CSP unless told, and it forbids compiling WebAssembly; onnxruntime
    // needs 'wasm-unsafe-eval'. Nothing remote: every script and the .wasm ship inside the extension.
    content_security_policy: {
      extension_pages: "script-src 'self' 'wasm-unsafe-eval'; object-src 'self';",
    },
    ...(browser === 'firefox'
      ? {
          browser_specific_settings: {
            gecko: {
              id: 'zipp-extension@zipp.invalid',
              strict_min_version: '140.0',
              // Firefox's data consent (shown at install): rewriting sends the prompt typed into the page
              // (website content) and the persona (which can hold age, place, work: personal information)
              // to the language model the person connects. Nothing goes to ZIPP's authors.
              data_collection_permissions: { required: ['websiteContent', 'personallyIdentifyingInfo'] },
            },
            // Firefox for Android reads the data consent from 142 on.
            gecko_android: { strict_min_version: '142.0' },
          },
        }
      : {}),
  }),
});
