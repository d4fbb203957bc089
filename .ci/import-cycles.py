#!/usr/bin/env python3
"""Finds import cycles between the source files of each crate in the workspace.

A file depends on another when it declares it as a child module (`mod x;`) or names an
item defined in it (`use crate::a::b`, `use super::c`, or a `crate::a::f()` path in the
code). Paths are resolved to the file of the deepest module they name; an item
re-exported by `lib.rs` counts as `lib.rs`. Two files that depend on each other, directly
or through others, are a cycle: the script prints every such group and exits 1.

Usage: .ci/import-cycles.py [workspace root]
"""

import re
import sys
from pathlib import Path

MOD_DECL = re.compile(r"^\s*(?:pub(?:\([^)]*\))?\s+)?mod\s+(\w+)\s*;", re.M)
USE_STMT = re.compile(r"\buse\s+((?:crate|super|self)\b[^;]*);", re.S)
INLINE_PATH = re.compile(r"\b((?:crate|super)(?:::\w+)+)")
COMMENT = re.compile(r"//[^\n]*|/\*.*?\*/", re.S)
STRING = re.compile(r'"(?:\\.|[^"\\])*"')


def strip(text):
    return STRING.sub('""', COMMENT.sub("", text))


def expand_use_tree(tree):
    """`crate::{a::X, b::{Y, Z}}` -> ["crate::a::X", "crate::b::Y", "crate::b::Z"]."""
    tree = re.sub(r"\s+", "", tree)
    out = []

    def walk(prefix, s):
        depth, parts, start = 0, [], 0
        for i, ch in enumerate(s):
            if ch == "{":
                depth += 1
            elif ch == "}":
                depth -= 1
            elif ch == "," and depth == 0:
                parts.append(s[start:i])
                start = i + 1
        parts.append(s[start:])
        for part in parts:
            if not part:
                continue
            brace = part.find("{")
            if brace >= 0 and part.endswith("}"):
                head = part[:brace].rstrip(":")
                walk(prefix + ([head] if head else []), part[brace + 1 : -1])
            else:
                part = part.split("as")[0] if "::" not in part.split("as")[-1] else part
                out.append("::".join(prefix + [part]))

    walk([], tree)
    return out


class Crate:
    def __init__(self, root_file):
        self.root_file = root_file
        self.modules = {}  # module path tuple -> file
        self.files = {}  # file -> module path tuple
        self.children = {}  # file -> [child files]
        self.add(root_file, ())

    def add(self, file, path):
        self.modules[path] = file
        self.files[file] = path
        self.children[file] = []
        text = strip(file.read_text(encoding="utf-8"))
        for name in MOD_DECL.findall(text):
            child = self.child_file(file, name)
            if child is None:
                continue
            self.children[file].append(child)
            self.add(child, path + (name,))

    @staticmethod
    def child_file(file, name):
        owns_dir = file.name in ("lib.rs", "main.rs", "mod.rs")
        base = file.parent if owns_dir else file.parent / file.stem
        for candidate in (base / f"{name}.rs", base / name / "mod.rs"):
            if candidate.exists():
                return candidate
        return None

    def resolve(self, file, path):
        segments = path.split("::")
        here = self.files[file]
        if segments[0] == "crate":
            module, rest = (), segments[1:]
        else:
            module = here
            rest = segments
            while rest and rest[0] in ("super", "self"):
                if rest[0] == "super":
                    module = module[:-1]
                rest = rest[1:]
        for seg in rest:
            if module + (seg,) in self.modules:
                module = module + (seg,)
            else:
                break
        return self.modules.get(module)

    def edges(self):
        graph = {f: set(self.children[f]) for f in self.files}
        for file in self.files:
            text = strip(file.read_text(encoding="utf-8"))
            # Inline test modules use `super::*` for the file they live in: not an edge.
            text = re.sub(r"#\[cfg\(test\)\]\s*mod\s+tests\s*\{.*", "", text, flags=re.S)
            paths = []
            for tree in USE_STMT.findall(text):
                paths.extend(expand_use_tree(tree))
            paths.extend(INLINE_PATH.findall(USE_STMT.sub("", text)))
            for path in paths:
                target = self.resolve(file, path)
                if target is not None and target != file:
                    graph[file].add(target)
        return graph


def cycles(graph):
    index, low, stack, on_stack, out = {}, {}, [], set(), []
    counter = [0]

    def connect(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w in graph[v]:
            if w not in index:
                connect(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                out.append(group)

    sys.setrecursionlimit(10000)
    for v in graph:
        if v not in index:
            connect(v)
    return out


def main():
    root = Path(sys.argv[1] if len(sys.argv) > 1 else ".").resolve()
    roots = []
    for manifest in sorted(root.glob("**/Cargo.toml")):
        if "target" in manifest.parts or ".git" in manifest.parts:
            continue
        src = manifest.parent / "src"
        for name in ("lib.rs", "main.rs"):
            if (src / name).exists():
                roots.append(src / name)
        roots.extend(sorted((src / "bin").glob("*.rs")) if (src / "bin").is_dir() else [])
    found = 0
    for root_file in roots:
        crate = Crate(root_file)
        for group in cycles(crate.edges()):
            found += 1
            names = sorted(str(f.relative_to(root)) for f in group)
            print("import cycle: " + " <-> ".join(names))
    if found:
        print(f"{found} import cycle(s)")
        return 1
    print(f"no import cycles in {len(roots)} crate roots")
    return 0


if __name__ == "__main__":
    sys.exit(main())
