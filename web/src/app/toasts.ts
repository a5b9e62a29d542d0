import { useEffect, useState } from 'preact/hooks';

export interface Toast {
  id: number;
  kind: 'success' | 'error' | 'info';
  text: string;
}

let toasts: Toast[] = [];
let nextId = 1;
const listeners = new Set<(t: Toast[]) => void>();

function publish(next: Toast[]): void {
  toasts = next;
  for (const l of listeners) l(toasts);
}

/** Shows a short message in the corner; errors stay longer. */
export function toast(kind: Toast['kind'], text: string): void {
  const id = nextId++;
  publish([...toasts.slice(-3), { id, kind, text }]);
  setTimeout(() => dismissToast(id), kind === 'error' ? 8000 : 4000);
}

export function dismissToast(id: number): void {
  publish(toasts.filter((t) => t.id !== id));
}

export function useToasts(): Toast[] {
  const [t, setT] = useState(toasts);
  useEffect(() => {
    listeners.add(setT);
    return () => {
      listeners.delete(setT);
    };
  }, []);
  return t;
}
