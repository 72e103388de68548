import { fakeBrowser } from 'wxt/testing/fake-browser';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { chooseBackend, webgpuAdapterAvailable } from '../../extension/lib/encoder/backend.ts';
import { hostOf } from '../../extension/components/options/Sites.tsx';
import { siteActivation, siteKey } from '../../extension/lib/sites/state.ts';

vi.mock('wxt/browser', () => ({ browser: fakeBrowser }));
const { clearConnection, loadConnection, saveConnection } = await import('../../extension/lib/llm/storage.ts');

describe('LLM connection in storage.local', () => {
  beforeEach(() => fakeBrowser.reset());

  it('round-trips a validated connection and drops one that no longer validates', async () => {
    expect(await loadConnection()).toBeUndefined();
    await saveConnection({ kind: 'compatible', baseUrl: 'http://127.0.0.1:11434/v1', model: 'llama3.1' });
    expect(await loadConnection()).toEqual({ kind: 'compatible', baseUrl: 'http://127.0.0.1:11434/v1', model: 'llama3.1' });
    await fakeBrowser.storage.local.set({ llm: { kind: 'openai', apiKey: '' } });
    expect(await loadConnection()).toBeUndefined();
    await saveConnection({ kind: 'openai', apiKey: 'sk-x', model: 'gpt-4o-mini' });
    await clearConnection();
    expect(await fakeBrowser.storage.local.get('llm')).toEqual({});
  });
});

describe('encoder backend choice', () => {
  it('takes WebGPU only when the browser hands out an adapter', async () => {
    expect(await webgpuAdapterAvailable(undefined)).toBe(false);
    expect(await webgpuAdapterAvailable({ requestAdapter: async () => null })).toBe(false);
    expect(await webgpuAdapterAvailable({ requestAdapter: async () => ({}) })).toBe(true);
    expect(await webgpuAdapterAvailable({ requestAdapter: () => Promise.reject(new Error('blocked')) })).toBe(false);
    const yes = async () => true;
    const no = async () => false;
    expect(await chooseBackend('auto', yes)).toMatchObject({ backend: 'webgpu' });
    expect(await chooseBackend('auto', no)).toMatchObject({ backend: 'wasm', reason: expect.stringMatching(/no WebGPU adapter/) });
    expect(await chooseBackend('webgpu', no)).toMatchObject({ backend: 'wasm', reason: expect.stringMatching(/was chosen but/) });
    expect(await chooseBackend('wasm', yes)).toMatchObject({ backend: 'wasm' });
  });
});

describe('site keys', () => {
  it('stores a supported site under its canonical host and any other under host:port', () => {
    expect(siteKey(new URL('https://chat.openai.com/c/1'))).toBe('chatgpt.com');
    expect(siteKey(new URL('https://www.midjourney.com/imagine'))).toBe('midjourney.com');
    expect(siteKey(new URL('http://127.0.0.1:5173/x'))).toBe('127.0.0.1:5173');
    expect(siteActivation(new URL('https://www.krea.ai/'), undefined)).toMatchObject({ adapter: 'krea', active: true, capture: false });
    expect(hostOf('https://Example.com:8080/path')).toBe('example.com:8080');
    expect(hostOf('example.com')).toBe('example.com');
    expect(hostOf('not a host')).toBeUndefined();
  });
});
