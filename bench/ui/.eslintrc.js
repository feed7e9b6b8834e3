// The extension's ESLint set-up lints the bench too, type-checked against
// this folder's tsconfig.json rather than the extension's.
module.exports = {
  parserOptions: {
    project: 'tsconfig.json',
    tsconfigRootDir: __dirname
  }
};
