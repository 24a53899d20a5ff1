import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

/**
 * A temporary directory, created on first use of `path` (so suites that are filtered out or
 * dry-run leave nothing behind), and the function that removes it.
 */
export function temporaryDirectory(prefix: string): { readonly path: string; remove: () => void } {
  let created: string | undefined;
  return {
    get path() {
      created ??= mkdtempSync(path.join(tmpdir(), `skillcert-${prefix}-`));
      return created;
    },
    remove: () => {
      if (created) rmSync(created, { recursive: true, force: true });
      created = undefined;
    },
  };
}
