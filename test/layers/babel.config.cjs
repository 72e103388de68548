// How dependency-cruiser reads TypeScript for the layer check (.dependency-cruiser.cjs): Babel strips the
// types, after keep-type-imports.cjs has made type-only imports count. Paths are absolute so the check
// runs from any folder (test/unit/layers.test.ts cruises a fixture tree as well as the project).
module.exports = {
  plugins: [require.resolve('./keep-type-imports.cjs')],
  presets: [[require.resolve('@babel/preset-typescript'), { isTSX: true, allExtensions: true, onlyRemoveTypeImports: true, allowDeclareFields: true }]],
};
