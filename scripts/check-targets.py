#!/usr/bin/env python3
"""Target hygiene: every target in Package.swift declares exactly the modules of this package it imports.

Reads Package.swift and each target's sources as text. A module imported but not declared compiles today only
because another dependency brings it along (and breaks when that one changes); one declared but never imported is
a dependency nobody needs. A test target may list the mock-llm executable without importing it: SwiftPM then
builds mock-llm before the tests that start it. Exits 1 with one line per finding.

    scripts/check-targets.py
"""
import glob
import os
import re
import sys

os.chdir(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
manifest = open("Package.swift").read()
# Every `.target(name:`, `.executableTarget(name:`, `.testTarget(name:` and `.systemLibrary(name:`.
declarations = list(re.finditer(r"\.(target|executableTarget|testTarget|systemLibrary)\(\s*name:\s*\"([^\"]+)\"", manifest))
targets = {}
for index, match in enumerate(declarations):
    kind, name = match.group(1), match.group(2)
    end = declarations[index + 1].start() if index + 1 < len(declarations) else len(manifest)
    text = manifest[match.end():end]
    listed = re.search(r"dependencies:\s*\[(.*?)\]", text, re.S)
    path = re.search(r"path:\s*\"([^\"]+)\"", text)
    default = ("Tests/" if kind == "testTarget" else "Sources/") + name
    targets[name] = (kind, set(re.findall(r"\"([^\"]+)\"", listed.group(1))) if listed else set(),
                     path.group(1) if path else default)

findings = []
for name, (kind, declared, path) in sorted(targets.items()):
    if kind == "systemLibrary":
        continue
    imported = set()
    for source in glob.glob(f"{path}/**/*.swift", recursive=True):
        for line in open(source):
            found = re.match(r"\s*(?:@testable\s+|@_exported\s+)?import\s+(\w+)", line)
            if found and found.group(1) in targets:
                imported.add(found.group(1))
    for module in sorted(imported - declared - {name}):
        findings.append(f"{name} imports {module} but does not declare it")
    for module in sorted(declared - imported - ({"mock-llm"} if kind == "testTarget" else set())):
        findings.append(f"{name} declares {module} but imports it nowhere")
for finding in findings:
    print(finding)
print(f"{len(targets)} targets, {len(findings)} findings" if findings else f"{len(targets)} targets: dependencies as imported")
sys.exit(1 if findings else 0)
