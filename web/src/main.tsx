import { render } from 'preact';
import { App } from './app/app.tsx';
import './styles/tokens.css';
import './styles/base.css';
import './styles/shell.css';
import './styles/components.css';
import './styles/pages.css';
import './styles/commerce.css';
import './styles/broadcast.css';
import './styles/ota.css';
import './styles/vision.css';

render(<App />, document.getElementById('app')!);
