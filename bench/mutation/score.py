"""Print the score of a bench/mutation/run.sh run: per function, then each surviving mutant.

python bench/mutation/score.py <module>   (reads /tmp/mutation-<module>/results.txt)
"""

from __future__ import annotations

import collections
import fnmatch
import re
import subprocess
import sys
from pathlib import Path

module = sys.argv[1]
here = Path(__file__).resolve().parent
scratch = Path(f"/tmp/mutation-{module}")
config = (here / f"{module}.cfg").read_text(encoding="utf-8")
patterns = re.search(r"^# mutants: (.*)$", config, re.M).group(1).split()
rows = []
for line in (scratch / "results.txt").read_text(encoding="utf-8").splitlines():
    name, _, status = line.strip().rpartition(": ")
    if any(fnmatch.fnmatch(name, p) for p in patterns):
        rows.append((name, status))
by_function: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
for name, status in rows:
    by_function[name.rsplit("__mutmut_", 1)[0]][status] += 1
total = collections.Counter(status for _, status in rows)
detected = total["killed"] + total["timeout"]
run = len(rows) - total["not checked"]
print(f"{module}: {detected}/{run} detected of the mutants run ({dict(total)})")
for function, counts in sorted(by_function.items()):
    print(f"  {function}: {dict(counts)}")
mutmut = Path(sys.executable).with_name("mutmut")
for name, status in rows:
    if status not in {"survived", "no tests"}:
        continue
    shown = subprocess.run(
        [str(mutmut), "show", name], cwd=scratch, capture_output=True, text=True, check=False
    ).stdout
    diff = [x[1:].strip() for x in shown.splitlines() if x.startswith("+ ")]
    print(f"- {name} ({status}): {' / '.join(diff)}")
