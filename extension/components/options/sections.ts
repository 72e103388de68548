/** The options page's sections, in menu order; the id is the URL hash (#connection, #personas, …). */
export const SECTIONS = [
  { id: 'welcome', label: 'Get started' },
  { id: 'connection', label: 'Connection' },
  { id: 'personas', label: 'Personas' },
  { id: 'infer', label: 'Infer a persona' },
  { id: 'sites', label: 'Sites' },
  { id: 'history', label: 'History & log' },
  { id: 'help', label: 'Does my persona help?' },
  { id: 'preferences', label: 'Preferences' },
  { id: 'backup', label: 'Import / export' },
] as const;
export type SectionId = (typeof SECTIONS)[number]['id'];
