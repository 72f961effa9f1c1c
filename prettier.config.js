// The formatter's settings, matching how the code was already written: single quotes, long
// lines (tables of options read better on one line), trailing commas.
export default {
  printWidth: 160,
  singleQuote: true,
  trailingComma: 'all',
};
