/**
 * Babel plugin for the layer check only (.dependency-cruiser.cjs, through babel.config.cjs): turns `import type` and `export type … from`
 * into value imports before the TypeScript preset strips types, so type-only dependencies count as
 * dependencies (a type-only cycle is still a cycle). dependency-cruiser reads TypeScript through Babel here
 * because its own TypeScript reader supports TypeScript < 7 only (this project compiles with 7).
 */
module.exports = () => ({
  visitor: {
    Program(program) {
      program.traverse({
        ImportDeclaration(p) { p.node.importKind = 'value'; for (const s of p.node.specifiers) if (s.importKind) s.importKind = 'value'; },
        ExportNamedDeclaration(p) { if (p.node.source) { p.node.exportKind = 'value'; for (const s of p.node.specifiers) if (s.exportKind) s.exportKind = 'value'; } },
      });
    },
  },
});
