import net from 'node:net';
import { mkdtempSync } from 'node:fs';
import os from 'node:os'; import path from 'node:path';
import { spawnZipp, PROCESS_TOKEN } from './test/helpers/server-process.ts';
import { startOpenAiServer } from './test/helpers/openai-server.ts';
const llm = await startOpenAiServer();
llm.enqueue({ kind: 'default', delayMs: 1500 });
const z = await spawnZipp({ dataDir: mkdtempSync(path.join(os.tmpdir(), 'probe-')), env: { ZIPP_LLM_BASE_URL: llm.url } });
const port = new URL(z.url).port;
const raw = (req: string, then: (s: net.Socket) => void) => new Promise<void>((resolve) => { const s = net.connect(Number(port), '127.0.0.1', () => { s.write(req); then(s); }); s.on('close', () => resolve()); s.on('error', () => resolve()); s.on('data', (d) => console.log('got', d.toString().split('\r\n')[0])); });
// (a) disconnect mid-body, JSON route
await raw(`POST /v1/rewrite HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${PROCESS_TOKEN}\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"prompt": "a`, (s) => setTimeout(() => s.destroy(), 300));
// (a2) disconnect mid-body, upload
await raw(`POST /v1/uploads?name=x.csv HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${PROCESS_TOKEN}\r\nContent-Length: 100000\r\n\r\nuser,community\n`, (s) => setTimeout(() => s.destroy(), 300));
// (a3) chunked JSON cut
await raw(`POST /v1/rewrite HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${PROCESS_TOKEN}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n5\r\n{"pro\r\n`, (s) => setTimeout(() => s.destroy(), 300));
// (b) half-close after a full request waiting for the LLM
const body = JSON.stringify({ prompt: 'a dog', method: 'baseline' });
await raw(`POST /v1/rewrite HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${PROCESS_TOKEN}\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`, (s) => { s.end(); setTimeout(() => s.destroy(), 3000); });
await new Promise((r) => setTimeout(r, 1500));
for (const l of z.logs) if (l.msg !== 'server listening') console.log(JSON.stringify(l).slice(0, 300));
z.child.kill('SIGKILL'); await llm.close();
