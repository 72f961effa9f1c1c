// esbuild bundles the renderer's CSS next to app.js (app.css); TypeScript only needs to know the import exists.
declare module '*.css';
