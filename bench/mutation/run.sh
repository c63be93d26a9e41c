#!/bin/bash
# Run mutmut on one module of the project, with only the fast tests that cover it.
#
#   bench/mutation/run.sh build|cache|memo|evaluation|audit|markup|validation
#
# mutmut is not a project dependency: `pip install mutmut==3.8.1` into the venv first.
# Its configuration (<module>.cfg here) is copied as setup.cfg into a scratch copy of the
# worktree, so pyproject.toml stays free of it and the worktree is never mutated. mutmut
# inserts mutants/src in front of sys.path: PYTHONPATH must not name another src/.
set -euo pipefail
module=$1
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
venv=${VENV:-/work/main/.venv}
scratch=${SCRATCH:-/tmp/mutation-$module}
rm -rf "$scratch"
mkdir -p "$scratch"
cp -r "$root"/src "$root"/tests "$root"/data "$root"/exemples "$root"/notebooks "$scratch"/
cp "$root"/_quarto*.yml "$root"/pyproject.toml "$scratch"/
# pyproject.toml has no [tool.mutmut] table, so mutmut reads setup.cfg.
cp "$here/$module.cfg" "$scratch/setup.cfg"
mapfile -t names < <(sed -n 's/^# mutants: //p' "$here/$module.cfg" | tr ' ' '\n')
cd "$scratch"
unset PYTHONPATH
export PROJET_ASSOCIATIF_ROOT="$scratch"
"$venv"/bin/mutmut run --max-children "${JOBS:-2}" "${names[@]}"
"$venv"/bin/mutmut results --all true > "$scratch/results.txt" || true
echo "Résultats : $scratch/results.txt"
