/**
 * The layers, checked by `npm run layers` (and by test/unit/layers.test.ts in `npm test`):
 *   shared ← models ← server;  shared ← extension;  nothing imports test/;  no import cycles.
 * Inside server/, each folder imports only folders below it:
 *   runtime ← http ← (db, engines, datasets, eval, encoder, dashboard) ← jobs ← (bench, study) ← app ← cli
 * Type-only imports count (see test/layers/keep-type-imports.cjs).
 */
const SERVER_ORDER = [
  ['runtime'],
  ['http'],
  ['db', 'engines', 'datasets', 'eval', 'encoder', 'dashboard'],
  ['jobs'],
  ['bench', 'study'],
  ['app'],
  ['cli'],
];
const above = (i) => SERVER_ORDER.slice(i + 1).flat();

module.exports = {
  forbidden: [
    { name: 'no-cycles', severity: 'error', comment: 'a cycle means two files are one concept, or one is in the wrong place', from: {}, to: { circular: true } },
    { name: 'nothing-imports-test', severity: 'error', from: { pathNot: '^test/' }, to: { path: '^test/' } },
    { name: 'shared-is-the-bottom', severity: 'error', from: { path: '^shared/' }, to: { path: '^(models|server|extension|bin)/' } },
    { name: 'shared-is-isomorphic', severity: 'error', comment: 'shared/ runs in the browser too: no Node built-ins', from: { path: '^shared/' }, to: { dependencyTypes: ['core'] } },
    { name: 'models-below-server', severity: 'error', from: { path: '^models/' }, to: { path: '^(server|extension|bin)/' } },
    { name: 'server-not-extension', severity: 'error', from: { path: '^server/' }, to: { path: '^(extension|bin)/' } },
    { name: 'extension-on-shared-only', severity: 'error', from: { path: '^extension/' }, to: { path: '^(models|server|bin)/' } },
    ...SERVER_ORDER.slice(0, -1).flatMap((folders, i) =>
      folders.map((f) => ({
        name: `server-${f}-below-${above(i).join('-')}`.slice(0, 60),
        severity: 'error',
        from: { path: `^server/${f}/` },
        to: { path: `^server/(${above(i).join('|')})/` },
      })),
    ),
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: ['node_modules', '\\.output/', '\\.wxt/', '/dist/', '^test/fixtures/'] },
    babelConfig: { fileName: require('node:path').join(__dirname, 'test/layers/babel.config.cjs') },
  },
};
