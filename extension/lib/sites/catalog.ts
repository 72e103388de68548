/**
 * The image-generation sites ZIPP knows, one adapter per site kind. An adapter says where the prompt box
 * is and which control submits it; writing into the box is decided by the editor kind (editor/write.ts),
 * not by the site.
 *
 * The selectors were gathered from public extensions and the sites' markup as described publicly; sites
 * change their markup, so each adapter lists several candidates, best first, and falls back to the
 * most prompt-like visible editor on the page (see find.ts). Verify against the live site when one breaks.
 */
import type { PromptSyntax } from '../../../shared/schemas/rewrite.ts';

export interface SiteAdapter {
  id: string;
  label: string;
  /** Hostnames this adapter serves; a leading '.' matches any subdomain. */
  hosts: string[];
  /** CSS selectors for the prompt box, best first. */
  promptSelectors: string[];
  /** Selectors for the button that sends the prompt (used to capture history; Enter also counts). */
  submitSelectors: string[];
  /** Look through open shadow roots (sites built from web components, e.g. Adobe's Spectrum). */
  deep?: boolean;
  /** The prompt syntax the site reads, kept byte for byte by the rewrite (default: detected per prompt). */
  syntax?: PromptSyntax;
}

export const SITE_ADAPTERS: readonly SiteAdapter[] = [
  {
    id: 'midjourney',
    label: 'Midjourney',
    syntax: 'midjourney',
    hosts: ['midjourney.com', '.midjourney.com'],
    promptSelectors: ['textarea#desktop_input_bar', 'textarea[placeholder*="imagine" i]', 'textarea[name="prompt"]'],
    submitSelectors: ['button[aria-label*="submit" i]', 'button[type="submit"]'],
  },
  {
    id: 'chatgpt',
    label: 'ChatGPT',
    hosts: ['chatgpt.com', 'chat.openai.com'],
    promptSelectors: [
      '#prompt-textarea.ProseMirror[contenteditable="true"]',
      '#prompt-textarea[contenteditable="true"]',
      'textarea#prompt-textarea',
      'form .ProseMirror[contenteditable="true"]',
    ],
    submitSelectors: ['button[data-testid="send-button"]', 'button#composer-submit-button'],
  },
  {
    id: 'gemini',
    label: 'Gemini',
    hosts: ['gemini.google.com'],
    promptSelectors: ['rich-textarea .ql-editor[contenteditable="true"]', '.ql-editor[contenteditable="true"][role="textbox"]'],
    submitSelectors: ['button.send-button', 'button[aria-label*="send" i]'],
  },
  {
    id: 'civitai',
    label: 'Civitai',
    // Civitai's generator is Stable Diffusion / Flux with A1111-style weights and <lora:…> tags.
    syntax: 'stable-diffusion',
    hosts: ['civitai.com', '.civitai.com', 'civitai.green'],
    promptSelectors: ['textarea#input_prompt', 'textarea[name="prompt"]', 'textarea[placeholder*="prompt" i]'],
    submitSelectors: ['button[type="submit"]', 'button[data-tour="gen:submit"]'],
  },
  {
    id: 'leonardo',
    label: 'Leonardo',
    hosts: ['app.leonardo.ai', 'leonardo.ai'],
    promptSelectors: [
      'textarea#prompt-textarea',
      'textarea[placeholder*="prompt" i]',
      'textarea[aria-label*="prompt" i]',
      '[contenteditable="true"][aria-label*="prompt" i]',
    ],
    submitSelectors: ['button[aria-label*="generate" i]', 'button[type="submit"]'],
  },
  {
    id: 'ideogram',
    label: 'Ideogram',
    hosts: ['ideogram.ai', '.ideogram.ai'],
    promptSelectors: ['textarea[placeholder*="describe" i]', 'textarea[placeholder*="prompt" i]', 'textarea[aria-label*="prompt" i]'],
    submitSelectors: ['button[aria-label*="generate" i]', 'button[type="submit"]'],
  },
  {
    id: 'krea',
    label: 'Krea',
    hosts: ['krea.ai', '.krea.ai'],
    promptSelectors: [
      'textarea[placeholder*="prompt" i]',
      'textarea[placeholder*="describe" i]',
      '[contenteditable="true"][role="textbox"]',
      '.ProseMirror[contenteditable="true"]',
    ],
    submitSelectors: ['button[aria-label*="generate" i]', 'button[type="submit"]'],
  },
  {
    id: 'firefly',
    label: 'Adobe Firefly',
    hosts: ['firefly.adobe.com'],
    promptSelectors: [
      'sp-textfield[multiline] textarea',
      'textarea[placeholder*="describe" i]',
      'textarea[aria-label*="prompt" i]',
      'textarea[placeholder*="prompt" i]',
    ],
    submitSelectors: ['sp-button[data-testid*="generate" i]', 'button[aria-label*="generate" i]'],
    deep: true,
  },
  {
    id: 'playground',
    label: 'Playground',
    hosts: ['playground.com', '.playground.com'],
    promptSelectors: [
      'textarea[placeholder*="prompt" i]',
      'textarea[placeholder*="describe" i]',
      '[contenteditable="true"][role="textbox"]',
    ],
    submitSelectors: ['button[aria-label*="generate" i]', 'button[type="submit"]'],
  },
];

/** The adapter for a page's hostname (no port), or undefined for a site ZIPP does not know. */
export function adapterForHost(hostname: string): SiteAdapter | undefined {
  const host = hostname.toLowerCase();
  return SITE_ADAPTERS.find((a) => a.hosts.some((h) => (h.startsWith('.') ? host.endsWith(h) : host === h)));
}

export function adapterById(id: string): SiteAdapter | undefined {
  return SITE_ADAPTERS.find((a) => a.id === id);
}
