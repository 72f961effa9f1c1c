// The contract between main, preload and renderer. Every channel added here gets a zod schema.
export const bridgeVersion = 1;
