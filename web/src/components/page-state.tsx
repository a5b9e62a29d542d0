import type { ComponentChildren } from 'preact';
import { ApiError, describeError } from '../api/api-client.ts';

export function Loading({ label = 'Loading…' }: { label?: string }) {
  return (
    <div class="state state-loading" aria-busy="true">
      <span class="spinner" />
      {label}
    </div>
  );
}

/** A failed load: 404 reads as "not found" (also what the server answers outside the user's scope). */
export function ErrorState({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  const notFound = error instanceof ApiError && error.status === 404;
  const forbidden = error instanceof ApiError && error.status === 403;
  return (
    <div class="state state-error" data-testid={notFound ? 'not-found' : forbidden ? 'forbidden' : 'load-error'}>
      <h2>{notFound ? 'Not found' : forbidden ? 'Not allowed' : 'Something went wrong'}</h2>
      <p>
        {notFound
          ? 'It does not exist, or it is outside the stores you can see.'
          : forbidden
            ? 'Your role does not give access to this page.'
            : describeError(error)}
      </p>
      {onRetry && !notFound && !forbidden ? (
        <button type="button" class="btn" onClick={onRetry}>
          Try again
        </button>
      ) : (
        <a class="btn" href="/">
          Back to overview
        </a>
      )}
    </div>
  );
}

export function Empty({ children }: { children: ComponentChildren }) {
  return <div class="state state-empty">{children}</div>;
}

export function PageHeader({
  title,
  subtitle,
  actions,
}: {
  title: ComponentChildren;
  subtitle?: ComponentChildren;
  actions?: ComponentChildren;
}) {
  return (
    <header class="page-header">
      <div>
        <h1>{title}</h1>
        {subtitle ? <p class="subtitle">{subtitle}</p> : null}
      </div>
      {actions ? <div class="page-actions">{actions}</div> : null}
    </header>
  );
}
