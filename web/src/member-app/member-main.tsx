import { render } from 'preact';
import { MemberApp } from './member-app.tsx';
import './member-app.css';

render(<MemberApp />, document.getElementById('app')!);
