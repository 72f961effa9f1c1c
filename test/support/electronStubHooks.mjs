// Module hooks that resolve `electron` to the recording stub, so a built bundle can be loaded in
// plain Node (the real package would try to download the Electron binary). Registered with
//   node --import ./test/support/registerElectronStub.mjs dist/main/index.js
export async function resolve(specifier, context, next) {
  if (specifier === 'electron') return { url: new URL('../electron-stub.ts', import.meta.url).href, shortCircuit: true };
  return next(specifier, context);
}
