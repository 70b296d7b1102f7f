/** A listener registration; calling it removes the listener. Idempotent. */
export type Unsubscribe = () => void;

/** Typed synchronous events. Listeners must not throw; errors are logged and swallowed. */
export interface EventSource<Events extends Record<string, unknown>> {
  on<E extends keyof Events & string>(event: E, listener: (payload: Events[E]) => void): Unsubscribe;
}
