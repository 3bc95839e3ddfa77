#!/usr/bin/env python3
"""Adds lock entries for platform-specific optional packages that the registry mirror these
machines use does not serve (e.g. @swc/core-darwin-arm64). npm omits them from a lock it writes,
and `npm ci` then refuses the lock as out of sync. The added entries are optional and carry os/cpu,
so npm skips them on Linux x64 and never needs to download them.

Run after `npm install` changes package-lock.json:  python3 scripts/complete-lockfile.py
"""
import json, re, sys

path = sys.argv[1] if len(sys.argv) > 1 else 'package-lock.json'
lock = json.load(open(path))
pkgs = lock['packages']
OS = {'darwin': 'darwin', 'linux': 'linux', 'win32': 'win32', 'freebsd': 'freebsd', 'android': 'android'}
CPU = ['arm64', 'x64', 'ia32', 'arm', 'ppc64', 's390x', 'riscv64', 'loong64']
added = []
for key, meta in list(pkgs.items()):
    for dep, version in (meta.get('optionalDependencies') or {}).items():
        target = f'node_modules/{dep}'
        if target in pkgs:
            continue
        tail = dep.split('/')[-1]
        os_name = next((o for o in OS if re.search(rf'(^|-){o}(-|$)', tail)), None)
        cpu = next((c for c in CPU if re.search(rf'(^|-){c}(-|$)', tail)), None)
        if not os_name or not cpu:
            continue
        entry = {'version': version.lstrip('^~='), 'optional': True, 'os': [OS[os_name]], 'cpu': [cpu]}
        if meta.get('dev'):
            entry['dev'] = True
        pkgs[target] = entry
        added.append(target)
json.dump(lock, open(path, 'w'), indent=2)
open(path, 'a').write('\n')
print(f'added {len(added)} platform-specific optional entries')
