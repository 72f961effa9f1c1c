// The tray window. Later issues give it sessions and countdowns over the preload bridge.
export function App() {
  return (
    <main>
      <h1>Keyfob</h1>
      <p>Sign in with the keyfob CLI; the tray view arrives with the Electron issues.</p>
    </main>
  );
}
