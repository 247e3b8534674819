import type { MetaView } from './api.ts'
import type { PageState } from './state.ts'

/** What a view gets: the state, the filter choices, and how to move to another state. */
export interface ViewContext {
  state: PageState
  meta: MetaView
  /** The instant the moving window ends at, fixed for one render. */
  now: number
  /** Moves to `state` (pushState) and redraws. */
  go: (state: PageState) => void
  /** A link to `state` that moves without reloading. */
  a: (state: PageState, ...children: (Node | string)[]) => HTMLAnchorElement
}
