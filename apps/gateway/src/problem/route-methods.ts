import type { Request } from 'express';

interface RouteLayer {
  route?: { methods?: Record<string, boolean>; _methods?: () => string[] };
  match?: (path: string) => unknown;
}

const PATH_IN_PROBLEM = 200;

/**
 * The methods the app's routes have for this request's path (Express keeps no such index: its
 * router answers a path with the wrong method as if the path did not exist). Read from the
 * router's stack, which is complete once the app is initialised.
 */
export function allowedMethods(req: Request): string[] {
  const stack = ((req.app as unknown as { router?: { stack?: RouteLayer[] } })?.router?.stack ?? []) as RouteLayer[];
  const out = new Set<string>();
  for (const layer of stack) {
    if (!layer.route || typeof layer.match !== 'function') continue;
    let matched: unknown;
    try {
      matched = layer.match(req.path);
    } catch {
      continue; // a malformed escape in the path matches nothing
    }
    if (!matched) continue;
    const methods = layer.route._methods?.() ?? Object.keys(layer.route.methods ?? {}).map((m) => m.toUpperCase());
    for (const m of methods) if (m !== '_ALL' && m !== '*') out.add(m);
  }
  return [...out].sort();
}

/** The path as it may appear in a problem's detail (bounded: it is the caller's text). */
export function pathForProblem(path: string): string {
  return path.length > PATH_IN_PROBLEM ? `${path.slice(0, PATH_IN_PROBLEM)}…` : path;
}
