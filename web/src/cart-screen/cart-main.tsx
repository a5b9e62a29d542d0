import { render } from 'preact';
import { CartApp } from './cart-app.tsx';

render(<CartApp />, document.getElementById('app')!);
