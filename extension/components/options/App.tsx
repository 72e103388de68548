import { useEffect, useState } from 'react';
import { Backup } from './Backup.tsx';
import { Connection } from './Connection.tsx';
import { HistoryLog } from './HistoryLog.tsx';
import { InferPersona } from './InferPersona.tsx';
import { PersonaHelp } from './PersonaHelp.tsx';
import { Personas } from './Personas.tsx';
import { Preferences } from './Preferences.tsx';
import { Sites } from './Sites.tsx';
import { Welcome } from './Welcome.tsx';
import { SECTIONS, type SectionId } from './sections.ts';


const current = (): SectionId => {
  const id = location.hash.replace(/^#/, '').split('/')[0];
  return SECTIONS.some((s) => s.id === id) ? (id as SectionId) : 'personas';
};

/** The options page: one section at a time, addressed by the URL hash (#connection, #personas, …). */
export function App() {
  const [section, setSection] = useState<SectionId>(current);
  useEffect(() => {
    const onHash = () => setSection(current());
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);
  const go = (id: SectionId) => {
    location.hash = id;
  };
  return (
    <div className="layout">
      <nav aria-label="ZIPP options">
        <h1>ZIPP</h1>
        {SECTIONS.map((s) => (
          <a key={s.id} href={`#${s.id}`} aria-current={s.id === section ? 'page' : undefined}>
            {s.label}
          </a>
        ))}
      </nav>
      <main>
        {section === 'welcome' && <Welcome go={go} />}
        {section === 'connection' && <Connection />}
        {section === 'personas' && <Personas go={go} />}
        {section === 'infer' && <InferPersona go={go} />}
        {section === 'sites' && <Sites />}
        {section === 'history' && <HistoryLog />}
        {section === 'help' && <PersonaHelp />}
        {section === 'preferences' && <Preferences />}
        {section === 'backup' && <Backup />}
      </main>
    </div>
  );
}
