import { DEFAULT_CONTEXT_BUDGET } from '../../../shared/persona/budget.ts';
import type { LlmConnection } from '../../lib/llm/connection.ts';

/** Where requests of this connection go, in words (a loopback URL is this computer). */
function destination(kind: Exclude<LlmConnection['kind'], 'on-device'>, url: string): string {
  const local = /^https?:\/\/(127\.\d+\.\d+\.\d+|localhost|\[::1\])(:\d+)?(\/|$)/i.test(url);
  switch (kind) {
    case 'openai':
      return 'OpenAI (api.openai.com), with your API key';
    case 'compatible':
      return url ? `the server at ${url}${local ? ' — on this computer' : ' — whoever runs that server receives them'}` : 'the server whose URL you enter';
    case 'zipp':
      return url
        ? `the ZIPP server at ${url}, which passes them to the language model its operator configured${local ? ' (the server runs on this computer; its LLM may not)' : ''}`
        : 'the ZIPP server whose URL you enter, and on to the language model its operator configured';
  }
}

/**
 * What leaves the computer, and to whom, for the connection being set up — said where the person
 * chooses it (issue 10's threat model; SECURITY.md "Browser extension" has the long form).
 */
export function DataFlow({ kind, url }: { kind: LlmConnection['kind']; url: string }) {
  if (kind === 'on-device') {
    return (
      <div className="notice" data-testid="data-flow">
        <h3>What leaves this computer</h3>
        <p>
          <strong>Nothing.</strong> The browser's built-in model runs on this device: your prompts, persona, kept prompts and,
          when you write a persona, your answers or your own posts and comments stay here. (The browser downloads the model
          once, from its maker, without any of your data.)
        </p>
      </div>
    );
  }
  return (
    <div className="notice" data-testid="data-flow">
      <h3>What leaves this computer</h3>
      <p>
        Everything below goes to <strong>{destination(kind, url)}</strong>, and only when you ask for it:
      </p>
      <ul>
        <li>
          <strong>Rewriting a prompt</strong> sends the prompt and your persona (the site's, else the active one); in few-shot mode
          also up to five prompts you kept on that site.
        </li>
        <li>
          <strong>Writing a persona</strong> sends your questionnaire answers, or the names and public descriptions of your top
          communities — and, from a Reddit export, your own posts and comments, up to about {DEFAULT_CONTEXT_BUDGET.toLocaleString('en')}{' '}
          tokens of them (NSFW communities and their texts are left out).
        </li>
      </ul>
      <p className="hint">
        Nothing else leaves: the community encoder runs on this computer, your personas, history and log stay in this browser,
        ZIPP sends no analytics, and web pages see neither your persona nor your key — only the rewrite you accept, in their own
        prompt box.
      </p>
    </div>
  );
}
