// Which Keyfob this is, for a cache that holds what its own code computed (the validated config,
// parsedCache.ts). The build (scripts/cliBuild.ts, for the CLI and the app's main bundle) defines
// KEYFOB_BUILD_ID as a SHA-256 of the sources and the lockfile, so any other Keyfob, newer or
// older, has another id and never trusts that cache. Undefined when the sources run unbundled
// (tests, `npm run keyfob`): those validate the config at every start.
declare const KEYFOB_BUILD_ID: string | undefined;

export const buildId: string | undefined = typeof KEYFOB_BUILD_ID === 'string' && KEYFOB_BUILD_ID.length > 0 ? KEYFOB_BUILD_ID : undefined;
