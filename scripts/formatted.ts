// What Prettier checks in `npm test` (and `npm run format` writes): every source file of the
// repository. Built output, dependencies and data stay out (.prettierignore).
export const FORMATTED = ['**/*.{ts,tsx,js,mjs,cjs}'];
