// dynalite ships no types; this is the part the dev server, the tests and the benchmark use.
declare module 'dynalite' {
  import type { Server } from 'node:http';

  interface DynaliteOptions {
    /** How long a new table stays CREATING. @default 500 */
    createTableMs?: number;
    deleteTableMs?: number;
    updateTableMs?: number;
    /** A LevelDB directory. @default - in memory */
    path?: string;
  }

  export default function dynalite(options?: DynaliteOptions): Server;
}
