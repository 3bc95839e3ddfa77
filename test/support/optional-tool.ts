import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { it } from 'vitest';

export interface OptionalTool {
  /** The tool as a reader would look for it, e.g. `SoftHSM2 (/usr/lib/softhsm/libsofthsm2.so)`. */
  readonly name: string;
  readonly present: boolean;
  /** The Debian package that provides it. */
  readonly apt: string;
  /** What the skipped tests cover, for the skip line. */
  readonly tests: string;
}

/**
 * For tests that need a tool the platform itself does not (SoftHSM2, docker-compose): whether they
 * should run. A newcomer without the tool gets one line saying what is skipped and how to add it,
 * not a red run. Under CI=true a missing tool fails the run instead (a test with that message):
 * CI installs every tool, so a skip there would silently lose coverage.
 *
 * Use at the top of a spec file: `describe.skipIf(!requireTool({...}))(...)`.
 */
export function requireTool(tool: OptionalTool): boolean {
  if (tool.present) return true;
  const missing = `${tool.name} is not installed (apt-get install ${tool.apt} adds it)`;
  if (process.env.CI === 'true') {
    it(`${tool.tests}: ${tool.name} is installed`, () => {
      throw new Error(`${missing}; CI=true runs every test, so a missing tool is an error there`);
    });
  } else {
    console.warn(`SKIPPING ${tool.tests}: ${missing}`);
  }
  return false;
}

/** Whether an executable of that name is on PATH (no shell, no spawn). */
export function onPath(command: string): boolean {
  return (process.env.PATH ?? '').split(delimiter).some((dir) => dir && existsSync(join(dir, command)));
}
