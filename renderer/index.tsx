import { createRoot } from 'react-dom/client';
import { App, screenFromHash } from './App.tsx';
import { pageBridge } from './bridge.ts';
import './styles.css';

const root = document.getElementById('root');
if (root) createRoot(root).render(<App api={pageBridge()} initialScreen={screenFromHash(location.hash)} />);
