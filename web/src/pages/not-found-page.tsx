export function NotFoundPage() {
  return (
    <div class="state state-error" data-testid="not-found">
      <h2>Page not found</h2>
      <p>There is no page at this address.</p>
      <a class="btn" href="/">
        Back to overview
      </a>
    </div>
  );
}
