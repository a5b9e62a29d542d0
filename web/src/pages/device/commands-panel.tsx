import { useState } from 'preact/hooks';
import { isFinalCommandStatus } from '../../../../protocol/api/commands.ts';
import type { CommandResults } from '../../../../protocol/commands.ts';
import { ApiError, api, describeError, enc } from '../../api/api-client.ts';
import type { Command, CommandName, Me } from '../../api/types.ts';
import { json, relativeTime } from '../../app/format.ts';
import { canSendCommand } from '../../app/session.ts';
import { toast } from '../../app/toasts.ts';
import { useResource } from '../../app/use-resource.ts';
import { Modal } from '../../components/modal.tsx';
import { CommandStatusBadge } from '../../components/status.tsx';
import { useLiveEvent, useReconnect } from '../../live/live-feed.ts';

const COMMANDS: { name: CommandName; label: string; hint: string; confirm?: string }[] = [
  { name: 'locate', label: 'Locate', hint: 'Beep and flash so staff can find it' },
  { name: 'diagnostics', label: 'Diagnostics', hint: 'Run the self-checks' },
  { name: 'logs', label: 'Fetch logs', hint: 'The last 100 log lines' },
  {
    name: 'reboot',
    label: 'Reboot',
    hint: 'Restart the device software',
    confirm: 'Reboot now? A shopper using this device loses the screen for about a minute.',
  },
];

export function CommandsPanel({ me, thingName, online }: { me: Me; thingName: string; online: boolean }) {
  const commands = useResource(
    () => api.get<Command[]>(`/api/devices/${enc(thingName)}/commands`, { limit: 20 }),
    [thingName],
  );
  const [sending, setSending] = useState<CommandName | null>(null);
  const [confirming, setConfirming] = useState<(typeof COMMANDS)[number] | null>(null);
  const [queue, setQueue] = useState(false);
  const [open, setOpen] = useState<string | null>(null);

  useLiveEvent('command', (c) => {
    if (c.thingName !== thingName) return;
    commands.mutate((list) => merged(list, c));
    if (isFinalCommandStatus(c.status) && c.requestedBy === me.user.username) {
      toast(c.status === 'succeeded' ? 'success' : 'error', `${c.name} on ${c.thingName}: ${c.status}`);
    }
  });

  // Live events missed while the socket was down (or not yet up) are in the history.
  useReconnect(() => commands.reload());

  const allowed = COMMANDS.filter((c) => canSendCommand(me, c.name));

  async function send(name: CommandName) {
    setConfirming(null);
    setSending(name);
    try {
      const c = await api.post<Command>(`/api/devices/${enc(thingName)}/commands`, {
        name,
        ...(queue ? { queueForSeconds: 3600 } : {}),
      });
      commands.mutate((list) => merged(list, c));
      setOpen(c.id);
    } catch (err) {
      if (err instanceof ApiError && err.code === 'DEVICE_OFFLINE') {
        toast('error', 'The device is offline. Tick “Queue if offline” to send it when it reconnects.');
      } else toast('error', describeError(err));
    } finally {
      setSending(null);
    }
  }

  return (
    <section class="panel" data-testid="commands-panel">
      <header class="panel-header">
        <h2>Commands</h2>
      </header>
      {allowed.length ? (
        <div class="command-bar">
          {allowed.map((c) => (
            <button
              type="button"
              key={c.name}
              class={`btn ${c.name === 'reboot' ? 'btn-danger-ghost' : ''}`}
              title={c.hint}
              disabled={sending !== null}
              onClick={() => (c.confirm ? setConfirming(c) : send(c.name))}
              data-testid={`command-${c.name}`}
            >
              {sending === c.name ? 'Sending…' : c.label}
            </button>
          ))}
          <label class="check" title="Keep the command for up to an hour until the device reconnects">
            <input type="checkbox" checked={queue} onChange={(e) => setQueue(e.currentTarget.checked)} />
            Queue if offline{online ? '' : ' (device offline)'}
          </label>
        </div>
      ) : (
        <p class="muted small pad">Your role cannot send commands to devices.</p>
      )}
      {commands.error && !commands.data ? (
        <p class="muted small pad">Command history is unavailable ({describeError(commands.error)}).</p>
      ) : commands.data && commands.data.length === 0 ? (
        <p class="muted small pad">No commands sent yet.</p>
      ) : (
        <ul class="command-list" data-testid="command-list">
          {(commands.data ?? []).map((c) => (
            <li key={c.id} data-testid="command-item" data-id={c.id} data-command={c.name} data-status={c.status}>
              <button type="button" class="command-row" onClick={() => setOpen(open === c.id ? null : c.id)}>
                <strong>{c.name}</strong>
                <CommandStatusBadge status={c.status} />
                <span class="muted small">
                  {c.requestedBy} · {relativeTime(c.requestedAt)}
                </span>
              </button>
              {open === c.id ? <CommandResult command={c} /> : null}
            </li>
          ))}
        </ul>
      )}
      {confirming ? (
        <Modal title={`${confirming.label} ${thingName}?`} onClose={() => setConfirming(null)}>
          <p>{confirming.confirm}</p>
          <div class="modal-actions">
            <button type="button" class="btn btn-ghost" onClick={() => setConfirming(null)}>
              Cancel
            </button>
            <button type="button" class="btn btn-danger" onClick={() => send(confirming.name)} data-testid="confirm">
              {confirming.label}
            </button>
          </div>
        </Modal>
      ) : null}
    </section>
  );
}

/** How far a command has got: its state only moves forward (queued → sent → a final status). */
function progress(c: Command): number {
  if (isFinalCommandStatus(c.status)) return 2;
  return c.status === 'sent' ? 1 : 0;
}

/**
 * `c` merged into the newest-first list, unless the list already has it further along: a fast device's answer can
 * reach the page as a live event before the POST that sent the command answers with it still `sent`.
 */
function merged(list: Command[] | undefined, c: Command): Command[] {
  const known = list?.find((x) => x.id === c.id);
  if (known && progress(known) > progress(c)) return list ?? [];
  const rest = (list ?? []).filter((x) => x.id !== c.id);
  return [c, ...rest].sort((a, b) => b.requestedAt - a.requestedAt).slice(0, 20);
}

function CommandResult({ command: c }: { command: Command }) {
  if (c.error) {
    return (
      <div class="command-result result-bad" data-testid="command-result">
        <strong>{c.error.code}</strong> {c.error.message}
      </div>
    );
  }
  if (!isFinalCommandStatus(c.status)) {
    return (
      <div class="command-result muted" data-testid="command-result">
        <span class="spinner" />{' '}
        {c.status === 'queued' ? 'Waiting for the device to connect…' : 'Waiting for the device…'}
      </div>
    );
  }
  // What each command answers is the device protocol's (protocol/commands.ts); checked here, as any device may be old.
  const result = c.result as Partial<CommandResults[CommandName]> | null;
  if (c.name === 'diagnostics' && result && 'checks' in result && Array.isArray(result.checks)) {
    return (
      <ul class="command-result checks" data-testid="command-result">
        {result.checks.map((check) => (
          <li key={check.name}>
            <span class={`dot dot-${check.ok ? 'ok' : 'bad'}`} /> <strong>{check.name}</strong>{' '}
            <span class="muted">{check.detail}</span>
          </li>
        ))}
      </ul>
    );
  }
  if (c.name === 'logs' && result && 'lines' in result && Array.isArray(result.lines)) {
    return (
      <pre class="command-result logs" data-testid="command-result">
        {result.lines.join('\n') || '(no lines)'}
        {'truncated' in result && result.truncated ? '\n… truncated' : ''}
      </pre>
    );
  }
  if (c.name === 'locate' && result && 'seconds' in result && typeof result.seconds === 'number') {
    return (
      <div class="command-result result-ok" data-testid="command-result">
        Beeping and flashing for {result.seconds} s.
      </div>
    );
  }
  return (
    <pre class="command-result" data-testid="command-result">
      {json(c.result)}
    </pre>
  );
}
