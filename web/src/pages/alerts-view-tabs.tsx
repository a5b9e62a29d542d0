/** The two views of the alerts area: the alerts themselves and the rules that raise them. */
export function AlertsViewTabs({ current }: { current: 'alerts' | 'rules' }) {
  return (
    <nav class="segmented" aria-label="Alerts view">
      <a href="/alerts" class={current === 'alerts' ? 'active' : ''} data-testid="alerts-view-alerts">
        Alerts
      </a>
      <a href="/alerts/rules" class={current === 'rules' ? 'active' : ''} data-testid="alerts-view-rules">
        Rules
      </a>
    </nav>
  );
}
