import type { IncomingHttpHeaders } from 'node:http';
import type { VirtualKey } from '../store/store.js';

/** What routing may know about the caller besides the request body. */
export interface RouteContext {
  /** The virtual key, or null when auth is off / the master key was used. */
  key: VirtualKey | null;
  headers: IncomingHttpHeaders;
}
