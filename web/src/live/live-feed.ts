import { useEffect, useRef, useState } from 'preact/hooks';
import { io, type Socket } from 'socket.io-client';
import { SCREEN_WATCH_EVENTS } from '../../../protocol/commerce/screen-mirror.ts';
import type { LiveEvents, ScreenWatchReply } from '../api/types.ts';

export type LiveStatus = 'connecting' | 'live' | 'offline' | 'refused';
type Listener<K extends keyof LiveEvents> = (payload: LiveEvents[K]) => void;

/**
 * The console's one socket.io connection. Pages subscribe to the events they show; the server already filters
 * events to the user's store scope. The session cookie authenticates the socket (same origin).
 */
class LiveFeed {
  private socket: Socket | undefined;
  private readonly listeners = new Map<keyof LiveEvents, Set<Listener<never>>>();
  private readonly statusListeners = new Set<(s: LiveStatus) => void>();
  private statusValue: LiveStatus = 'offline';
  private readonly reconnectListeners = new Set<() => void>();
  /** Carts whose screen this console watches (a count per cart: two views of one cart share the watch). */
  private readonly watching = new Map<string, number>();

  get status(): LiveStatus {
    return this.statusValue;
  }

  connect(): void {
    if (this.socket) return;
    this.setStatus('connecting');
    const socket = io({ path: '/socket.io', withCredentials: true, transports: ['websocket', 'polling'] });
    this.socket = socket;
    let connectedBefore = false;
    socket.on('connect', () => {
      this.setStatus('live');
      // Events missed while disconnected are not replayed: pages reload their data on reconnect.
      if (connectedBefore) for (const l of this.reconnectListeners) l();
      connectedBefore = true;
      // A new socket has no watches: ask again for the screens still open.
      for (const thingName of this.watching.keys()) void this.emitWatch(thingName);
    });
    socket.on('disconnect', () => this.setStatus('offline'));
    socket.on('connect_error', (err: Error) => {
      this.setStatus(err.message === 'NOT_AUTHENTICATED' ? 'refused' : 'offline');
    });
    const events = [
      'presence',
      'telemetry',
      'shadow',
      'alert',
      'command',
      'device',
      'order',
      'attendant-request',
      'cart-screen',
      'rollout',
      'rollout-device',
      'vision',
    ] as const;
    for (const event of events) {
      socket.on(event, (payload: unknown) => {
        for (const l of this.listeners.get(event) ?? []) {
          try {
            (l as (p: unknown) => void)(payload);
          } catch (err) {
            console.error(`live ${event} listener failed`, err);
          }
        }
      });
    }
  }

  disconnect(): void {
    this.socket?.disconnect();
    this.socket = undefined;
    this.setStatus('offline');
  }

  on<K extends keyof LiveEvents>(event: K, listener: Listener<K>): () => void {
    let set = this.listeners.get(event);
    if (!set) {
      set = new Set();
      this.listeners.set(event, set);
    }
    set.add(listener as Listener<never>);
    return () => set.delete(listener as Listener<never>);
  }

  /**
   * Receive `cart-screen` events of this cart until the returned function is called. Answers what the fleet said
   * (NOT_AUTHORIZED, THING_NOT_FOUND) or NOT_CONNECTED while the socket is down (asked again on reconnect).
   */
  watchScreen(thingName: string): { reply: Promise<ScreenWatchReply>; stop: () => void } {
    this.watching.set(thingName, (this.watching.get(thingName) ?? 0) + 1);
    let stopped = false;
    return {
      reply: this.emitWatch(thingName),
      stop: () => {
        if (stopped) return;
        stopped = true;
        const left = (this.watching.get(thingName) ?? 1) - 1;
        if (left > 0) {
          this.watching.set(thingName, left);
          return;
        }
        this.watching.delete(thingName);
        this.socket?.emit(SCREEN_WATCH_EVENTS.unwatch, thingName);
      },
    };
  }

  private async emitWatch(thingName: string): Promise<ScreenWatchReply> {
    const socket = this.socket;
    if (!socket?.connected) return { ok: false, code: 'NOT_CONNECTED', message: 'the live connection is down' };
    try {
      return (await socket.timeout(10_000).emitWithAck(SCREEN_WATCH_EVENTS.watch, thingName)) as ScreenWatchReply;
    } catch {
      return { ok: false, code: 'TIMEOUT', message: 'the fleet did not answer' };
    }
  }

  onReconnect(listener: () => void): () => void {
    this.reconnectListeners.add(listener);
    return () => this.reconnectListeners.delete(listener);
  }

  onStatus(listener: (s: LiveStatus) => void): () => void {
    this.statusListeners.add(listener);
    return () => this.statusListeners.delete(listener);
  }

  private setStatus(s: LiveStatus): void {
    this.statusValue = s;
    for (const l of this.statusListeners) l(s);
  }
}

export const liveFeed = new LiveFeed();

/** Subscribes `handler` to a live event for the component's lifetime (the latest handler is always called). */
export function useLiveEvent<K extends keyof LiveEvents>(event: K, handler: Listener<K>): void {
  const ref = useRef(handler);
  ref.current = handler;
  useEffect(() => liveFeed.on(event, (p) => ref.current(p)), [event]);
}

export function useReconnect(handler: () => void): void {
  const ref = useRef(handler);
  ref.current = handler;
  useEffect(() => liveFeed.onReconnect(() => ref.current()), []);
}

export function useLiveStatus(): LiveStatus {
  const [s, setS] = useState(liveFeed.status);
  useEffect(() => liveFeed.onStatus(setS), []);
  return s;
}
