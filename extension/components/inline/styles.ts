/** Styles of the inline UI; they live in its shadow root, so the page's CSS neither reaches nor sees them. */
export const inlineStyles = `
:host { all: initial; }
.zipp { font: 13px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1d1b26; }
.zipp-button {
  position: fixed; width: 28px; height: 28px; border-radius: 14px; border: 1px solid #c9c2ef;
  background: #f5f3ff; color: #5b3fd1; cursor: pointer; display: flex; align-items: center; justify-content: center;
  box-shadow: 0 1px 4px rgba(40, 20, 90, .18); padding: 0; font: 600 13px/1 system-ui, sans-serif;
}
.zipp-button:hover, .zipp-button:focus-visible { background: #5b3fd1; color: #fff; outline: none; }
.zipp-button[aria-busy="true"] { animation: zipp-pulse 1s ease-in-out infinite; }
@keyframes zipp-pulse { 50% { opacity: .45; } }
.zipp-panel {
  position: fixed; box-sizing: border-box; background: #fff; border: 1px solid #d9d4f3; border-radius: 10px;
  box-shadow: 0 8px 28px rgba(40, 20, 90, .22); padding: 10px 12px; max-height: 60vh; overflow: auto;
}
.zipp-head { display: flex; align-items: center; gap: 8px; font-weight: 600; color: #3b2a8f; margin-bottom: 6px; }
.zipp-head .zipp-meta { font-weight: 400; color: #6b6780; font-size: 12px; }
.zipp-head .zipp-close { margin-left: auto; border: 0; background: none; cursor: pointer; font-size: 16px; color: #6b6780; }
.zipp-private::before { content: attr(data-text); }
.zipp-text { white-space: pre-wrap; word-break: break-word; margin: 0 0 8px; }
.zipp-caret { display: inline-block; width: 6px; height: 1em; background: #5b3fd1; vertical-align: text-bottom; animation: zipp-pulse 1s infinite; }
.zipp-add { background: #e4f8e9; color: #0c5a24; border-radius: 3px; }
.zipp-del { background: #fde8e8; color: #8a1c1c; text-decoration: line-through; border-radius: 3px; }
.zipp-phrase { position: relative; outline: none; }
.zipp-phrase.zipp-unsupported .zipp-add { background: #fff3d6; color: #7a4b00; text-decoration: underline dotted; }
.zipp-why {
  display: none; position: absolute; left: 0; top: 100%; z-index: 1; width: max-content; max-width: 320px; margin-top: 4px;
  background: #1d1b26; color: #fff; border-radius: 6px; padding: 6px 8px; font-size: 12px; white-space: normal;
}
.zipp-why .zipp-meta { color: #c9bcff; display: block; }
.zipp-source { display: block; margin-top: 2px; }
.zipp-phrase:hover .zipp-why, .zipp-phrase:focus .zipp-why { display: block; }
.zipp-pick-banner {
  position: fixed; top: 12px; left: 50%; transform: translateX(-50%); background: #5b3fd1; color: #fff;
  border-radius: 8px; padding: 6px 12px; box-shadow: 0 4px 16px rgba(40, 20, 90, .3); pointer-events: none;
}
.zipp-pick-box { position: fixed; border: 3px solid #5b3fd1; border-radius: 6px; background: rgba(91, 63, 209, .08); pointer-events: none; box-sizing: border-box; }
.zipp-note {
  position: fixed; width: 320px; box-sizing: border-box; background: #fff8e6; color: #5a3d00; border: 1px solid #f0d48a;
  border-radius: 8px; padding: 6px 26px 6px 10px; font-size: 12px; box-shadow: 0 2px 10px rgba(0,0,0,.12);
}
.zipp-note-picked { background: #eefaf1; color: #0c5a24; border-color: #b9e5c6; }
.zipp-note button { position: absolute; top: 2px; right: 4px; border: 0; background: none; cursor: pointer; font-size: 14px; color: inherit; }
.zipp-candidate { border-top: 1px solid #ece9f8; padding-top: 6px; margin-bottom: 8px; }
.zipp-warn { color: #8a5a00; font-size: 12px; margin: 0 0 8px; }
.zipp-error { color: #8a1c1c; margin: 0 0 8px; }
.zipp-actions { display: flex; gap: 6px; flex-wrap: wrap; }
.zipp-actions button {
  border: 1px solid #cfc8ef; background: #fff; color: #3b2a8f; border-radius: 6px; padding: 4px 10px; cursor: pointer; font: inherit;
}
.zipp-actions button.zipp-primary { background: #5b3fd1; border-color: #5b3fd1; color: #fff; }
.zipp-actions button:focus-visible { outline: 2px solid #9a86f0; outline-offset: 1px; }
.zipp-toast {
  position: fixed; background: #1d1b26; color: #fff; border-radius: 8px; padding: 6px 10px; display: flex; gap: 10px;
  align-items: center; box-shadow: 0 4px 16px rgba(0,0,0,.25);
}
.zipp-toast button { background: none; border: 0; color: #c9bcff; cursor: pointer; font: inherit; text-decoration: underline; padding: 0; }
`;
