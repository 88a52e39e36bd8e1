import type { NodeState } from '../../../client/index.ts';

/** A state as word and colour (never colour alone). */
export const STATE_WORDS: Record<NodeState, string> = {
  ONLINE: 'Online',
  OFFLINE: 'Offline',
  DISCONNECTED: 'Disconnected',
};

export function StatusBadge({ state }: { state: NodeState }) {
  return (
    <span class={`badge badge-${state.toLowerCase()}`}>
      <span class="badge-icon" aria-hidden="true" />
      {state}
    </span>
  );
}
