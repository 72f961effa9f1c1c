// The window's plain lists, without zod, so the renderer bundle imports them without a schema
// library (the renderer validates nothing: main and the preload did already).
// The shared lists come from lists.ts, never copied.
export { LOGIN_METHODS } from './lists.ts';
export { AUDIT_ACTIONS as AUDIT_ACTIONS_VIEW } from './lists.ts';
export const SCREENS = ['sign-in', 'targets', 'sessions', 'exposure', 'activity', 'settings'] as const;
