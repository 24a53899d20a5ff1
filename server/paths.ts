import path from "node:path";
import { fileURLToPath } from "node:url";

/** The repository root, whatever the working directory (server/ is one level down). */
export const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
