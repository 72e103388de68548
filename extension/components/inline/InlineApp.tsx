import { useEffect, useRef, useState, useSyncExternalStore, type CSSProperties, type MouseEvent } from 'react';
import type { InlineRewriter, Phase } from '../../lib/content/controller.ts';
import { wordDiff } from '../../lib/diff.ts';
import type { ExplainedDiff } from '../../lib/messages/protocol.ts';
import { PrivateText } from './PrivateText.tsx';

type ExplainedPart = ExplainedDiff[number];
import { useAnchorRect, type Box } from './useAnchorRect.ts';

/** A line near the button: how the box was found when that needs saying, or what picking did. */
export interface Notice {
  kind: 'fallback' | 'picked-missing' | 'picked' | 'error';
  text: string;
}

/** "Pick the prompt box" is on: the editor under the pointer, to highlight. */
export interface Picking {
  rect: DOMRect | null;
}

interface Props {
  rewriter: InlineRewriter;
  /** The prompt box the button sits in (null hides the button). */
  editor: HTMLElement | null;
  shortcut: string;
  picking?: Picking | undefined;
  notice?: Notice | undefined;
  onDismissNotice(): void;
  onOpenOptions(): void;
}

const PANEL_MAX = 520;

function panelStyle(box: Box): CSSProperties {
  const width = Math.min(PANEL_MAX, Math.max(320, box.width), window.innerWidth - 16);
  const left = Math.min(Math.max(8, box.left), window.innerWidth - width - 8);
  const spaceAbove = box.top;
  const spaceBelow = window.innerHeight - (box.top + box.height);
  return spaceAbove >= 200 || spaceAbove > spaceBelow
    ? { left, width, bottom: window.innerHeight - box.top + 8 }
    : { left, width, top: box.top + box.height + 8 };
}

/** Only gestures the browser itself generated count; a page script's synthetic click does nothing. */
const trusted = (fn: () => void) => (e: MouseEvent) => {
  if (e.nativeEvent.isTrusted) fn();
};

/**
 * An added phrase and, on hover (or keyboard focus), where it came from: the persona sentences behind it,
 * or a note that nothing in the persona supports it.
 */
function Phrase({ part }: { part: ExplainedPart }) {
  return (
    <span className={part.supported ? 'zipp-phrase' : 'zipp-phrase zipp-unsupported'} tabIndex={0} data-testid="zipp-phrase" data-supported={String(part.supported)}>
      <PrivateText text={part.text} className="zipp-add" />
      <span className="zipp-why" role="tooltip" data-testid="zipp-why">
        {part.supported ? (
          <>
            <span className="zipp-meta">From your persona:</span>
            {part.sources?.map((s) => (
              <span key={s} className="zipp-source">
                <PrivateText text={s} />
              </span>
            ))}
          </>
        ) : (
          <span className="zipp-meta">Nothing in your persona says this: the model added it on its own.</span>
        )}
      </span>
    </span>
  );
}

function Diff({ before, after, explained }: { before: string; after: string; explained?: ExplainedPart[] | undefined }) {
  const parts = explained ?? wordDiff(before, after);
  return (
    <p className="zipp-text" data-testid="zipp-diff">
      {parts.map((part, i) =>
        explained && part.kind === 'added' && /\p{L}/u.test(part.text) ? (
          <Phrase key={i} part={part} />
        ) : (
          <PrivateText key={i} text={part.text} {...(part.kind === 'same' ? {} : { className: part.kind === 'added' ? 'zipp-add' : 'zipp-del' })} />
        ),
      )}
    </p>
  );
}

function Panel({ phase, rewriter, onOpenOptions }: { phase: Phase; rewriter: InlineRewriter; onOpenOptions(): void }) {
  const acceptRef = useRef<HTMLButtonElement>(null);
  const [copied, setCopied] = useState(false);
  useEffect(() => {
    if (phase.name === 'ready') acceptRef.current?.focus();
  }, [phase.name]);
  const onKeyDown = (e: React.KeyboardEvent) => {
    if (e.key === 'Escape' && e.nativeEvent.isTrusted) {
      e.preventDefault();
      rewriter.discard();
      rewriter.editor?.focus();
    }
  };
  const copy = async (text: string) => {
    await navigator.clipboard.writeText(text).then(() => setCopied(true), () => setCopied(false));
  };
  return (
    <div role="dialog" aria-label="ZIPP rewrite" onKeyDown={onKeyDown}>
      <div className="zipp-head">
        <span>ZIPP</span>
        <span className="zipp-meta" data-testid="zipp-status">
          {phase.name === 'streaming' && 'rewriting with your persona…'}
          {phase.name === 'ready' && <PrivateText text={phase.result.candidates ? phase.result.model : `${phase.result.method} · ${phase.result.model}`} />}
          {phase.name === 'error' && 'could not rewrite'}
        </span>
        <button className="zipp-close" aria-label="Close" onClick={trusted(() => rewriter.discard())}>
          ×
        </button>
      </div>
      {phase.name === 'streaming' && !phase.texts && (
        <p className="zipp-text" data-testid="zipp-stream">
          <PrivateText text={phase.text} />
          <span className="zipp-caret" />
        </p>
      )}
      {phase.name === 'streaming' &&
        phase.texts?.map((text, i) => (
          <div key={i} className="zipp-candidate">
            <span className="zipp-meta">Candidate {i + 1}</span>
            <p className="zipp-text" data-testid={`zipp-stream-${i}`}>
              <PrivateText text={text} />
              <span className="zipp-caret" />
            </p>
          </div>
        ))}
      {phase.name === 'ready' && phase.result.candidates && (
        <>
          <p className="zipp-meta">Two candidates, in random order: use the one you like better (ZIPP keeps your pick, on this computer).</p>
          {phase.result.candidates.map((c, i) => (
            <div key={c.logId} className="zipp-candidate" data-testid={`zipp-candidate-${i}`}>
              <span className="zipp-meta">Candidate {i + 1}</span>
              <Diff before={phase.base} after={c.rewritten} />
              {c.warnings.map((w) => (
                <p key={w} className="zipp-warn">
                  <PrivateText text={w} />
                </p>
              ))}
              <div className="zipp-actions">
                <button
                  ref={i === 0 ? acceptRef : undefined}
                  className="zipp-primary"
                  data-testid={`zipp-use-${i}`}
                  onClick={trusted(() => void rewriter.accept(i as 0 | 1))}
                >
                  Use this one
                </button>
              </div>
            </div>
          ))}
          <div className="zipp-actions">
            <button data-testid="zipp-retry" onClick={trusted(() => rewriter.retry())}>
              Retry both
            </button>
            <button data-testid="zipp-discard" onClick={trusted(() => rewriter.discard())}>
              Discard
            </button>
          </div>
        </>
      )}
      {phase.name === 'ready' && !phase.result.candidates && (
        <>
          <Diff before={phase.base} after={phase.result.rewritten} explained={phase.result.explained} />
          {phase.result.warnings.map((w) => (
            <p key={w} className="zipp-warn">
              <PrivateText text={w} />
            </p>
          ))}
          <div className="zipp-actions">
            <button ref={acceptRef} className="zipp-primary" data-testid="zipp-accept" onClick={trusted(() => void rewriter.accept())}>
              Accept
            </button>
            <button data-testid="zipp-retry" onClick={trusted(() => rewriter.retry())}>
              Retry
            </button>
            <button onClick={trusted(() => void copy(phase.result.rewritten))}>{copied ? 'Copied' : 'Copy'}</button>
            <button data-testid="zipp-discard" onClick={trusted(() => rewriter.discard())}>
              Discard
            </button>
          </div>
        </>
      )}
      {phase.name === 'error' && (
        <>
          <p className="zipp-error" role="alert" data-testid="zipp-error">
            <PrivateText text={phase.error.message} />
          </p>
          <div className="zipp-actions">
            {phase.base && <button onClick={trusted(() => rewriter.retry())}>Try again</button>}
            {['no-llm', 'no-persona', 'bad-key', 'origin-refused', 'unreachable', 'unknown-model'].includes(phase.error.code) && (
              <button onClick={trusted(onOpenOptions)}>Open ZIPP options</button>
            )}
          </div>
        </>
      )}
    </div>
  );
}

export function InlineApp({ rewriter, editor, shortcut, picking, notice, onDismissNotice, onOpenOptions }: Props) {
  const phase = useSyncExternalStore(
    (fn) => rewriter.subscribe(fn),
    () => rewriter.phase,
  );
  const box = useAnchorRect(editor);
  // The "rewritten" note steps aside after a while; Ctrl+Z keeps working as long as the box holds the rewrite.
  const [toastHidden, setToastHidden] = useState(false);
  useEffect(() => {
    setToastHidden(false);
    if (phase.name !== 'applied') return;
    const timer = setTimeout(() => setToastHidden(true), 8000);
    return () => clearTimeout(timer);
  }, [phase]);
  const target = phase.name === 'applied' || phase.name === 'idle' ? editor : (rewriter.editor ?? editor);
  const panelBox = useAnchorRect(target);

  return (
    <div className="zipp">
      {picking && (
        <>
          <div className="zipp-pick-banner" role="status" data-testid="zipp-picking">
            Click the prompt box ZIPP should use on this site · Esc to cancel
          </div>
          {picking.rect && (
            <div
              className="zipp-pick-box"
              data-testid="zipp-pick-highlight"
              style={{ top: picking.rect.top - 3, left: picking.rect.left - 3, width: picking.rect.width + 6, height: picking.rect.height + 6 }}
            />
          )}
        </>
      )}
      {/* While picking, nothing of ZIPP's may sit between the pointer and the page. */}
      {!picking && notice && (box ?? notice.kind === 'picked-missing') && (
        <div
          className={`zipp-note zipp-note-${notice.kind}`}
          role="status"
          data-testid="zipp-note"
          data-kind={notice.kind}
          style={box ? { top: box.top + box.height + 6, left: Math.max(8, box.left + box.width - 320) } : { bottom: 16, right: 16 }}
        >
          <PrivateText text={notice.text} />
          <button aria-label="Dismiss" onClick={trusted(onDismissNotice)}>
            ×
          </button>
        </div>
      )}
      {box && !picking && (
        <button
          className="zipp-button"
          data-testid="zipp-button"
          aria-label={`Rewrite this prompt with your ZIPP persona (${shortcut})`}
          title={`Rewrite with your persona (${shortcut})`}
          aria-busy={phase.name === 'streaming'}
          style={{ top: box.top + box.height - 34, left: box.left + box.width - 34 }}
          // Keep the focus (and the caret) in the prompt box.
          onMouseDown={(e) => e.preventDefault()}
          onClick={trusted(() => rewriter.start('button'))}
        >
          Z
        </button>
      )}
      {panelBox && (phase.name === 'streaming' || phase.name === 'ready' || phase.name === 'error') && (
        <div className="zipp-panel" data-testid="zipp-panel" style={panelStyle(panelBox)}>
          <Panel phase={phase} rewriter={rewriter} onOpenOptions={onOpenOptions} />
        </div>
      )}
      {panelBox && phase.name === 'applied' && !toastHidden && (
        <div className="zipp-toast" data-testid="zipp-toast" role="status" style={{ ...panelStyle(panelBox), width: 'auto' }}>
          <span>Prompt rewritten.</span>
          <button onMouseDown={(e) => e.preventDefault()} onClick={trusted(() => void rewriter.undo())}>
            Undo (Ctrl+Z)
          </button>
        </div>
      )}
    </div>
  );
}
