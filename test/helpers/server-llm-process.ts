/**
 * Runs the shared OpenAI-compatible test server (openai-server.ts) as its own process and prints its URL
 * as one JSON line ({"url": ...}) on stdout; stops on SIGTERM. The server benchmark uses it so that the
 * LLM, the ZIPP server and the load generator each have their own process, as they would in production.
 */
import { startOpenAiServer } from './openai-server.ts';

const llm = await startOpenAiServer();
process.stdout.write(`${JSON.stringify({ url: llm.url })}\n`);
// The recorded requests would grow without bound under a long load run; the benchmark never reads them.
const trim = setInterval(() => llm.requests.splice(0, llm.requests.length), 1000);
process.once('SIGTERM', () => {
  clearInterval(trim);
  void llm.close().then(() => process.exit(0));
});
